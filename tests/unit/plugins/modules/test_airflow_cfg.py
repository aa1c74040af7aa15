"""airflow_cfg end to end on a real file: check mode, diff, secrets, file mode."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.dagops.airflow.plugins.modules import airflow_cfg

CFG = """\
[core]
# Where plugins live.
plugins_folder = {AIRFLOW_HOME}/plugins
fernet_key = old-fernet-value

[database]
sql_alchemy_conn = postgresql://airflow:db-pass-1@db/airflow
"""
TOKEN = "tok-4f9a2c7e81"


def run(capsys, args, check_mode=False, diff=False):
    args = dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff)
    with patch_module_args(args), pytest.raises(SystemExit) as exit_info:
        airflow_cfg.main()
    out = capsys.readouterr().out
    result = json.loads(out)
    result["_raw"] = out
    result["_rc"] = exit_info.value.code
    return result


@pytest.fixture(name="cfg")
def cfg_fixture(tmp_path):
    path = tmp_path / "airflow.cfg"
    path.write_text(CFG)
    path.chmod(0o640)
    return path


def plugin_settings(token=TOKEN):
    return {"rest_api_plugin": {"rest_api_plugin_expected_http_token": token, "max_file_size": 1024,
                                "rest_api_plugin_http_token_header_name": "X-Token"}}


def test_check_mode_reports_without_writing_then_writes_then_is_idempotent(capsys, cfg):
    args = {"path": str(cfg), "sections": plugin_settings()}
    checked = run(capsys, args, check_mode=True)
    assert checked["changed"] and cfg.read_text() == CFG
    assert sorted(checked["changed_keys"]) == ["rest_api_plugin.max_file_size",
                                               "rest_api_plugin.rest_api_plugin_expected_http_token",
                                               "rest_api_plugin.rest_api_plugin_http_token_header_name"]
    done = run(capsys, args)
    assert done["changed"] and cfg.read_text().startswith(CFG)
    assert "max_file_size = 1024\n" in cfg.read_text()
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o640  # the file's mode is kept
    again = run(capsys, args, diff=True)
    assert not again["changed"] and again["changed_keys"] == []


def test_secrets_never_leave_the_module(capsys, cfg):
    result = run(capsys, {"path": str(cfg), "sections": plugin_settings()}, diff=True)
    raw = result["_raw"]
    for secret in (TOKEN, "old-fernet-value", "db-pass-1"):
        assert secret not in raw
    assert "rest_api_plugin_expected_http_token = ******** (changed)" in result["diff"]["after"]
    assert result["diff"]["before"] == ""  # a new section: the diff holds the changed sections only
    assert result["diff"]["after"].startswith("[rest_api_plugin]\n")
    assert result["settings"]["database"]["sql_alchemy_conn"] == "********"
    assert TOKEN in cfg.read_text()
    shown = run(capsys, {"path": str(cfg), "sections": {"core": {"fernet_key": "new-fernet", "x": "1"}}}, diff=True)
    assert "fernet_key = ********\n" in shown["diff"]["before"] and "plugins_folder" in shown["diff"]["before"]
    assert "fernet_key = ******** (changed)\n" in shown["diff"]["after"] and "new-fernet" not in shown["_raw"]
    assert "[database]" not in shown["diff"]["before"] + shown["diff"]["after"]
    changed = run(capsys, {"path": str(cfg), "sections": plugin_settings("tok-other-value")}, diff=True)
    assert changed["changed"] and "tok-other-value" not in changed["_raw"] and TOKEN not in changed["_raw"]


def test_values_and_return_sections(capsys, cfg):
    result = run(capsys, {"path": str(cfg), "return_sections": ["core"]})
    assert not result["changed"]
    assert result["settings"] == {"core": {"plugins_folder": "{AIRFLOW_HOME}/plugins", "fernet_key": "********"}}


def test_caller_secret_keys_and_typed_values(capsys, cfg):
    result = run(capsys, {"path": str(cfg), "secret_keys": ["Signing_Key"], "sections": {
        "custom": {"signing_key": "sig-value-123", "flag": True, "n": 3, "items": ["a", "b"], "kw": {"b": 1, "a": 2}}}})
    assert result["settings"]["custom"] == {
        "signing_key": "********", "flag": "True", "n": "3", "items": "a,b", "kw": '{"a":2,"b":1}'}
    assert "sig-value-123" not in result["_raw"]


def test_null_removes_a_key(capsys, cfg):
    result = run(capsys, {"path": str(cfg), "sections": {"core": {"fernet_key": None}}})
    assert result["changed"] and "fernet_key" not in cfg.read_text() and "# Where plugins live." in cfg.read_text()


def test_a_missing_file_is_refused_unless_create(capsys, tmp_path):
    path = tmp_path / "airflow.cfg"
    refused = run(capsys, {"path": str(path), "sections": {"core": {"a": "b"}}})
    assert refused.get("failed") and "Airflow writes it at its first start" in refused["msg"] and not path.exists()
    created = run(capsys, {"path": str(path), "sections": {"core": {"a": "b"}}, "create": True})
    assert created["changed"] and path.read_text() == "[core]\na = b\n"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_bad_input_fails_before_anything_is_written(capsys, cfg):
    result = run(capsys, {"path": str(cfg), "sections": {"core": {"ok": "1", "bad": "50%", "k": "v"}}})
    assert result.get("failed") and "%%" in result["msg"] and cfg.read_text() == CFG
    result = run(capsys, {"path": str(cfg), "sections": {"core": "not a dict"}})
    assert result.get("failed") and "must be a dict" in result["msg"]
    result = run(capsys, {"path": str(cfg), "sections": {"core": {"a": "1", "A": "2"}}})
    assert result.get("failed") and "given twice" in result["msg"]


def test_a_broken_file_is_refused_without_echoing_its_lines(capsys, cfg):
    cfg.write_text(CFG + "password_line_without_delimiter s3cret\n")
    result = run(capsys, {"path": str(cfg), "sections": {"core": {"a": "1"}}})
    assert result.get("failed") and "line 8" in result["msg"] and "s3cret" not in result["_raw"]


def test_backup(capsys, cfg):
    result = run(capsys, {"path": str(cfg), "sections": {"core": {"a": "1"}}, "backup": True})
    assert open(result["backup_file"]).read() == CFG


def test_secret_keys_are_the_api_modules_sensitive_words_and_the_cfg_credentials():
    is_secret = airflow_cfg.secret_test([])
    for key in ("fernet_key", "sql_alchemy_conn", "jwt_secret", "Password", "sentry_dsn", "broker_url",
                "api_key", "private_key", "access_key", "enable_proxy_fix"):
        assert is_secret("any", key), key
    for key in ("plugins_folder", "dags_folder", "parallelism"):
        assert not is_secret("core", key), key
