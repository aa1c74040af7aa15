"""The plugin's `[rest_api_plugin]` settings (airflow.cfg or AIRFLOW__REST_API_PLUGIN__*)."""
import os
from collections import namedtuple

SECTION = "rest_api_plugin"
DEFAULTS = {
    "rest_api_plugin_http_token_header_name": "rest_api_plugin_http_token",
    "rest_api_plugin_expected_http_token": "",
    "max_file_size": "10485760",
    "validation_timeout": "60",
}

Settings = namedtuple("Settings", "token_header expected_token max_file_size validation_timeout "
                                  "dags_folder plugins_folder")


class ConfigError(ValueError):
    """A setting that cannot be used; the message names it."""


def positive_int(key, text):
    try:
        value = int(str(text).strip())
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigError(f"[{SECTION}] {key} must be a positive integer, not {text!r}")
    return value


def parse_settings(get):
    """Settings from `get(section, key, default) -> str`, so tests need no Airflow."""
    def option(key):
        value = get(SECTION, key, DEFAULTS[key])
        return DEFAULTS[key] if value is None else str(value)

    header = option("rest_api_plugin_http_token_header_name").strip() or DEFAULTS[
        "rest_api_plugin_http_token_header_name"]
    dags_folder = get("core", "dags_folder", None)
    if not dags_folder:
        raise ConfigError("[core] dags_folder is not set")
    plugins_folder = get("core", "plugins_folder", None) or ""
    return Settings(
        token_header=header,
        expected_token=option("rest_api_plugin_expected_http_token"),
        max_file_size=positive_int("max_file_size", option("max_file_size")),
        validation_timeout=positive_int("validation_timeout", option("validation_timeout")),
        dags_folder=os.path.abspath(os.path.expanduser(dags_folder)),
        plugins_folder=os.path.abspath(os.path.expanduser(plugins_folder)) if plugins_folder else "",
    )


def load_settings():
    """Read at each request, so a changed airflow.cfg or environment needs no new code path."""
    from airflow.configuration import conf  # pylint: disable=import-outside-toplevel

    return parse_settings(lambda section, key, default: conf.get(section, key, fallback=default))
