"""The rules of the shared options: credentials from the task and the environment, wait options,
the secrets-policy choices."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.dagops.airflow.plugins.module_utils.module import (
    CREDENTIAL_ENV_VARS, AirflowModule, credentials_from_environment, secrets_policy_option, wait_options,
)
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import SECRETS_POLICIES

URL = "http://127.0.0.1:1"
TOKEN = "env-token-5c1d9e"
PASSWORD = "env-pass-83b2aa"


@pytest.fixture(name="environ", autouse=True)
def environ_fixture(monkeypatch):
    """No credential variable from the developer's shell leaks into a test."""
    for name in CREDENTIAL_ENV_VARS.values():
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def build(capsys, args, argument_spec=None):
    """The module's params, or the failure message when Ansible or the module refuses the options."""
    with patch_module_args(dict(args, airflow_url=URL)):
        try:
            module = AirflowModule(argument_spec=argument_spec or {})
        except SystemExit:
            result = json.loads(capsys.readouterr().out)
            assert result["failed"]
            return result["msg"]
    return module


def params_of(module):
    assert not isinstance(module, str), module
    return dict((k, module.params[k]) for k in CREDENTIAL_ENV_VARS)


def test_a_user_without_a_password_is_refused_not_sent_with_an_empty_one(capsys):
    assert "required together: airflow_username, airflow_password" in build(capsys, {"airflow_username": "admin"})
    assert "required together" in build(capsys, {"airflow_password": "task-pass-77"})


def test_a_token_next_to_a_user_or_password_is_refused_instead_of_silently_winning(capsys):
    msg = build(capsys, {"airflow_token": "task-token-77", "airflow_username": "admin", "airflow_password": "task-pass-77"})
    assert "mutually exclusive: airflow_token|airflow_username" in msg
    token_and_password = {"airflow_token": "task-token-77", "airflow_password": "task-pass-77"}
    assert "mutually exclusive: airflow_token|airflow_password" in build(capsys, token_and_password)


def test_the_task_chooses_the_kind_and_the_environment_of_the_other_kind_is_not_read(capsys, environ):
    environ.setenv("AIRFLOW_TOKEN", TOKEN)
    assert params_of(build(capsys, {"airflow_username": "admin", "airflow_password": "task-pass-77"})) == dict(
        airflow_username="admin", airflow_password="task-pass-77", airflow_token=None)
    environ.delenv("AIRFLOW_TOKEN")
    environ.setenv("AIRFLOW_USERNAME", "envuser")
    environ.setenv("AIRFLOW_PASSWORD", PASSWORD)
    assert params_of(build(capsys, {"airflow_token": "task-token-77"})) == dict(
        airflow_username=None, airflow_password=None, airflow_token="task-token-77")


def test_the_environment_completes_the_kind_the_task_chose(capsys, environ):
    environ.setenv("AIRFLOW_PASSWORD", PASSWORD)
    environ.setenv("AIRFLOW_TOKEN", TOKEN)
    assert params_of(build(capsys, {"airflow_username": "admin"})) == dict(
        airflow_username="admin", airflow_password=PASSWORD, airflow_token=None)
    # A task value is never replaced by the environment's.
    environ.setenv("AIRFLOW_USERNAME", "envuser")
    assert params_of(build(capsys, {"airflow_username": "admin"}))["airflow_username"] == "admin"


def test_the_rules_hold_for_credentials_from_the_environment_alone(capsys, environ):
    environ.setenv("AIRFLOW_USERNAME", "envuser")
    assert "required together" in build(capsys, {})
    environ.setenv("AIRFLOW_PASSWORD", PASSWORD)
    assert params_of(build(capsys, {})) == dict(airflow_username="envuser", airflow_password=PASSWORD,
                                                airflow_token=None)
    environ.setenv("AIRFLOW_TOKEN", TOKEN)
    assert "mutually exclusive" in build(capsys, {})
    environ.delenv("AIRFLOW_USERNAME")
    environ.delenv("AIRFLOW_PASSWORD")
    assert params_of(build(capsys, {}))["airflow_token"] == TOKEN


def test_empty_values_count_as_unset(capsys, environ):
    # lookup('env', ...) of an unset variable gives "": it must not choose the kind nor conflict.
    environ.setenv("AIRFLOW_USERNAME", "envuser")
    environ.setenv("AIRFLOW_PASSWORD", PASSWORD)
    environ.setenv("AIRFLOW_TOKEN", "")
    assert params_of(build(capsys, {"airflow_token": ""})) == dict(
        airflow_username="envuser", airflow_password=PASSWORD, airflow_token=None)


def test_credentials_from_the_environment_are_secret(capsys, environ):
    environ.setenv("AIRFLOW_TOKEN", TOKEN)
    assert TOKEN in build(capsys, {}).no_log_values
    environ.delenv("AIRFLOW_TOKEN")
    environ.setenv("AIRFLOW_USERNAME", "envuser")
    environ.setenv("AIRFLOW_PASSWORD", PASSWORD)
    assert PASSWORD in build(capsys, {}).no_log_values


def test_credentials_from_environment_reads_only_what_it_may():
    env = {"AIRFLOW_USERNAME": "u", "AIRFLOW_PASSWORD": "p", "AIRFLOW_TOKEN": "t"}
    assert credentials_from_environment({}, env) == dict(
        airflow_username="u", airflow_password="p", airflow_token="t")
    assert credentials_from_environment({"airflow_token": "x"}, env) == {}
    assert credentials_from_environment({"airflow_password": "x"}, env) == dict(airflow_username="u")
    assert credentials_from_environment({"airflow_username": ""}, env) == credentials_from_environment({}, env)


WAITING = wait_options(wait_timeout=300)


@pytest.mark.parametrize("args", [{"wait_timeout": -1}, {"poll_interval": 0}, {"poll_interval": -3}])
def test_wait_options_are_checked_for_every_module_that_waits(capsys, args):
    msg = build(capsys, dict(args, airflow_token="task-token-77"), argument_spec=dict(WAITING))
    assert msg == "wait_timeout must be 0 or more and poll_interval more than 0 seconds"


def test_wait_options_defaults_and_a_module_without_them(capsys):
    module = build(capsys, {"airflow_token": "task-token-77", "wait_timeout": 0}, argument_spec=wait_options(wait_timeout=600))
    assert (module.params["wait_timeout"], module.params["poll_interval"]) == (0, 3)
    assert wait_options(wait_timeout=600)["wait_timeout"]["default"] == 600
    assert "wait_timeout" not in build(capsys, {"airflow_token": "task-token-77"}).params


def test_the_secrets_policy_choices_are_the_engines():
    option = secrets_policy_option()
    assert option["choices"] == list(SECRETS_POLICIES) and option["default"] == "auto"
    assert option["default"] in SECRETS_POLICIES
