"""The old plugin's path arguments (`subdir`, `cfg_path`, the variables' import/export files): each
must name a place inside the dags folder, or the call is refused (400) before anything runs."""
import os

from dagops_rest_api.legacy_calls import LegacyCallError
from dagops_rest_api.paths import is_inside

DAGS_FOLDER_WORD = "DAGS_FOLDER"  # Airflow's own placeholder in `-S DAGS_FOLDER/...`


def inside_dags_folder(service, text, what):
    """The absolute real path `text` names inside the dags folder (relative to it, absolute, or
    starting with DAGS_FOLDER), or LegacyCallError 400."""
    root = service.root
    raw = str(text).strip()
    if not raw or "\x00" in raw:
        raise LegacyCallError(400, f"{what} must name a path inside the dags folder, not {text!r}")
    if raw == DAGS_FOLDER_WORD or raw.startswith(DAGS_FOLDER_WORD + "/"):
        raw = root + raw[len(DAGS_FOLDER_WORD):]
    candidate = os.path.realpath(os.path.join(root, os.path.expanduser(raw)) if not os.path.isabs(raw) else raw)
    if not is_inside(root, candidate):
        raise LegacyCallError(400, f"{what} {text!r} is outside the dags folder {root}; only paths inside it "
                                   "are accepted")
    return candidate


def check_subdir(service, call, name="subdir"):
    """The absolute `subdir` (or another path argument) inside the dags folder, or None when absent."""
    value = call.args.get(name)
    if value is None or not str(value).strip():
        return None
    return inside_dags_folder(service, value, name)
