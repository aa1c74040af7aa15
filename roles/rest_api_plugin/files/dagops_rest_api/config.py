"""The plugin's `[rest_api_plugin]` settings (airflow.cfg or AIRFLOW__REST_API_PLUGIN__*)."""
import os
from collections import namedtuple

SECTION = "rest_api_plugin"
DEFAULTS = {
    "rest_api_plugin_http_token_header_name": "rest_api_plugin_http_token",
    "rest_api_plugin_expected_http_token": "",
    "max_file_size": "10485760",
    "validation_timeout": "60",
    "max_batch_size": "104857600",
    "validation_processes": "0",
    "deploy_state_folder": "",
    "keep_releases": "5",
    "validation_warm_process": "True",
    # The legacy layers: the old REST API plugin's /admin/rest_api/api and the experimental API.
    "legacy_api": "True",
    "legacy_token_only": "False",
    "allow_task_execution": "False",
}

# The batch and legacy settings come last with their defaults, so a Settings built with the first six works.
Settings = namedtuple("Settings", "token_header expected_token max_file_size validation_timeout "
                                  "dags_folder plugins_folder max_batch_size validation_processes "
                                  "deploy_state_folder keep_releases validation_warm_process "
                                  "legacy_api legacy_token_only allow_task_execution",
                      defaults=(104857600, 0, "", 5, True, True, False, False))


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


def non_negative_int(key, text):
    return 0 if str(text).strip() == "0" else positive_int(key, text)


def boolean(key, text):
    value = str(text).strip().lower()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError(f"[{SECTION}] {key} must be True or False, not {text!r}")
    return value in ("true", "1", "yes")


def default_state_folder(dags_folder):
    """Beside the dags folder (same file system, so renames are atomic; outside, so Airflow never
    parses a staged or kept file)."""
    parent, name = os.path.split(os.path.realpath(dags_folder).rstrip(os.sep))
    return os.path.join(parent, f".{name}.dagops")


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
    dags_folder = os.path.abspath(os.path.expanduser(dags_folder))
    state_folder = option("deploy_state_folder").strip()
    return Settings(
        token_header=header,
        expected_token=option("rest_api_plugin_expected_http_token"),
        max_file_size=positive_int("max_file_size", option("max_file_size")),
        validation_timeout=positive_int("validation_timeout", option("validation_timeout")),
        dags_folder=dags_folder,
        plugins_folder=os.path.abspath(os.path.expanduser(plugins_folder)) if plugins_folder else "",
        max_batch_size=positive_int("max_batch_size", option("max_batch_size")),
        validation_processes=non_negative_int("validation_processes", option("validation_processes")),
        deploy_state_folder=(os.path.abspath(os.path.expanduser(state_folder)) if state_folder
                             else default_state_folder(dags_folder)),
        keep_releases=positive_int("keep_releases", option("keep_releases")),
        validation_warm_process=boolean("validation_warm_process", option("validation_warm_process")),
        legacy_api=boolean("legacy_api", option("legacy_api")),
        legacy_token_only=boolean("legacy_token_only", option("legacy_token_only")),
        allow_task_execution=boolean("allow_task_execution", option("allow_task_execution")),
    )


def load_settings():
    """Read at each request, so a changed airflow.cfg or environment needs no new code path."""
    from airflow.configuration import conf  # pylint: disable=import-outside-toplevel

    return parse_settings(lambda section, key, default: conf.get(section, key, fallback=default))
