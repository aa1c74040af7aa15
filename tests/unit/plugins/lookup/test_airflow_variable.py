from __future__ import annotations

import pytest
import yaml

from ansible import constants as C
from ansible.errors import AnsibleLookupError

from ansible_collections.dagops.airflow.plugins.lookup import airflow_variable as lookup
from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for


class Server:
    """Single GETs of variables; what is not in ``values`` answers 404."""

    instances = []

    def __init__(self, url, api_version="auto", **options):
        self.url_ = url
        self.options = dict(options, api_version=api_version)
        self.api = dialect_for("v2")
        self.values = {"env": "prod", "settings": '{"batch": 5}', "db_password": "***"}
        Server.instances.append(self)

    def connect(self):
        return self.api

    def url(self, path):
        return "%s/%s" % (self.url_, path)

    def get_or_none(self, path, params=None):
        key = path.rsplit("/", 1)[1]
        return {"key": key, "value": self.values[key]} if key in self.values else None


def plugin():
    """The lookup with its documented options loaded, as ansible's plugin loader does."""
    found = lookup.LookupModule()
    found._load_name = "dagops.airflow.airflow_variable"
    C.config.initialize_plugin_configuration_definitions(
        "lookup", found._load_name, yaml.safe_load(lookup.DOCUMENTATION)["options"])
    return found


def run(monkeypatch, terms, **kwargs):
    monkeypatch.setattr(lookup, "AirflowClient", Server)
    return plugin().run(terms, variables={}, **kwargs)


def test_values_in_the_order_of_the_terms(monkeypatch):
    assert run(monkeypatch, ["settings", "env"], airflow_url="http://af") == ['{"batch": 5}', "prod"]


def test_json_decoding_and_default_for_a_missing_key(monkeypatch):
    got = run(monkeypatch, ["settings", "nope"], airflow_url="http://af", deserialize_json=True, default={"d": 1})
    assert got == [{"batch": 5}, {"d": 1}]
    assert run(monkeypatch, ["nope"], airflow_url="http://af", default=None) == [None]


def test_a_missing_key_without_default_fails_naming_it(monkeypatch):
    with pytest.raises(AnsibleLookupError, match="no variable 'nope'.*http://af/api/v2/variables/nope"):
        run(monkeypatch, ["nope"], airflow_url="http://af")


def test_a_masked_value_fails_rather_than_returning_stars(monkeypatch):
    with pytest.raises(AnsibleLookupError, match="masks the value of variable 'db_password'"):
        run(monkeypatch, ["db_password"], airflow_url="http://af")


def test_a_value_that_is_not_json_fails_when_decoding_is_asked(monkeypatch):
    with pytest.raises(AnsibleLookupError, match="'env' is not JSON"):
        run(monkeypatch, ["env"], airflow_url="http://af", deserialize_json=True)


def test_connection_options_come_from_the_modules_environment_variables(monkeypatch):
    monkeypatch.setenv("AIRFLOW_URL", "http://from-env")
    monkeypatch.setenv("AIRFLOW_USERNAME", "admin")
    monkeypatch.setenv("AIRFLOW_PASSWORD", "pw")
    monkeypatch.setenv("AIRFLOW_API_VERSION", "v2")
    Server.instances = []
    assert run(monkeypatch, ["env"], timeout=7) == ["prod"]
    server = Server.instances[-1]
    assert server.url_ == "http://from-env"
    assert server.options["username"] == "admin" and server.options["password"] == "pw"
    assert server.options["api_version"] == "v2" and server.options["timeout"] == 7


def test_a_client_error_becomes_a_lookup_error(monkeypatch):
    with pytest.raises(AnsibleLookupError, match="airflow_url must be an http"):
        plugin().run(["env"], variables={}, airflow_url="ftp://nowhere")
