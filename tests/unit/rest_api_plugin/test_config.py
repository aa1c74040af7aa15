import pytest

from dagops_rest_api.config import ConfigError, parse_settings


def getter(values):
    def get(section, key, default):
        return values.get((section, key), default)
    return get


CORE = {("core", "dags_folder"): "/srv/dags", ("core", "plugins_folder"): "/srv/plugins"}


def test_defaults():
    settings = parse_settings(getter(CORE))
    assert settings.token_header == "rest_api_plugin_http_token"
    assert settings.expected_token == ""
    assert settings.max_file_size == 10485760
    assert settings.validation_timeout == 60
    assert settings.dags_folder == "/srv/dags"
    assert settings.plugins_folder == "/srv/plugins"


def test_configured_values():
    configured = {
        ("rest_api_plugin", "rest_api_plugin_http_token_header_name"): "X-Deploy-Token",
        ("rest_api_plugin", "rest_api_plugin_expected_http_token"): "s3cret",
        ("rest_api_plugin", "max_file_size"): " 1048576 ",
        ("rest_api_plugin", "validation_timeout"): "5",
    }
    settings = parse_settings(getter({**CORE, **configured}))
    assert settings.token_header == "X-Deploy-Token"
    assert settings.expected_token == "s3cret"
    assert (settings.max_file_size, settings.validation_timeout) == (1048576, 5)


def test_an_empty_header_name_falls_back_to_the_default():
    settings = parse_settings(getter({**CORE, ("rest_api_plugin", "rest_api_plugin_http_token_header_name"): " "}))
    assert settings.token_header == "rest_api_plugin_http_token"


@pytest.mark.parametrize("value", ["ten", "0", "-5", ""])
def test_bad_numbers_name_the_setting(value):
    with pytest.raises(ConfigError, match=r"\[rest_api_plugin\] max_file_size must be a positive integer"):
        parse_settings(getter({**CORE, ("rest_api_plugin", "max_file_size"): value}))


def test_no_dags_folder():
    with pytest.raises(ConfigError, match="dags_folder"):
        parse_settings(getter({}))


def test_the_legacy_switches_default_to_on_not_token_only_no_task_execution():
    settings = parse_settings(getter(CORE))
    assert (settings.legacy_api, settings.legacy_token_only, settings.allow_task_execution) == (True, False, False)


def test_the_legacy_switches_are_read():
    configured = {("rest_api_plugin", "legacy_api"): "False", ("rest_api_plugin", "legacy_token_only"): "true",
                  ("rest_api_plugin", "allow_task_execution"): "True"}
    settings = parse_settings(getter({**CORE, **configured}))
    assert (settings.legacy_api, settings.legacy_token_only, settings.allow_task_execution) == (False, True, True)


def test_a_bad_legacy_switch_names_the_setting():
    with pytest.raises(ConfigError, match=r"legacy_api must be True or False"):
        parse_settings(getter({**CORE, ("rest_api_plugin", "legacy_api"): "maybe"}))
