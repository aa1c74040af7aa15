# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""DAG files in the dags folder, through the collection's REST plugin (docs/rest_api_plugin.md):
where a file may go, what a deployment must add, change or remove, and the plugin's calls."""

from __future__ import annotations

import posixpath
from urllib.parse import quote

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.rest_plugin import PLUGIN_PREFIX
from ansible_collections.dagops.airflow.plugins.module_utils.dag_paths import (  # noqa: F401 (re-exported)
    dag_file_problem, is_dag_file_name, path_problem,
)

CAPABILITY = "dag-files"
FILES_PATH = PLUGIN_PREFIX + "v1/dag-files"


class DagFileRefused(AirflowError):
    """The plugin refused a file because it failed to import (HTTP 422); nothing was written."""

    def __init__(self, path, message, import_errors, url=None):
        details = "\n".join((text or "").rstrip() for text in (import_errors or {}).values() if text)
        text = "%s failed to import, so it was not written: %s" % (path, message)
        if details and details.strip() != (message or "").strip():
            text += "\n" + details
        super().__init__(text, "PUT", url, status=422, server_message=message)
        self.path = path
        self.import_errors = dict(import_errors or {})


# ----- path rules (defined in dag_paths) -------------------------------------------------------
def clean_dest(dest):
    """``dest`` without a leading ``./`` and the trailing ``/`` (which means "a directory")."""
    dest = (dest or "").strip()
    while dest.startswith("./"):
        dest = dest[2:]
    return dest


def target_path(kind, dest, relative):
    """Where one source file goes. ``kind``: ``file`` (``relative`` is its base name; ``dest``
    is the file's path, a directory when it ends in ``/``, the top when empty), ``content``
    (``dest`` is the file's path) or ``directory`` (``dest`` is the sub-directory)."""
    dest = clean_dest(dest)
    if kind == "directory" or (kind == "file" and (not dest or dest.endswith("/"))):
        return posixpath.join(dest.rstrip("/"), relative) if dest.rstrip("/") else relative
    return dest


def check_targets(kind, dest, relatives):
    """The target path of each source file, or an error that says what to fix."""
    dest = clean_dest(dest)
    if kind == "content" and (not dest or dest.endswith("/")):
        return None, "content needs dest, the file's path under the dags folder (for example etl/orders.py)"
    if kind == "directory" and is_dag_file_name(dest.rstrip("/")):
        return None, "with a directory as src, dest is a sub-directory of the dags folder, got the file name %r" % dest
    if dest.rstrip("/"):
        problem = path_problem(dest.rstrip("/"))
        if problem:
            return None, problem
    targets = {}
    for relative in relatives:
        target = target_path(kind, dest, relative)
        problem = dag_file_problem(target)
        if problem:
            return None, problem
        targets[relative] = target
    return targets, None


def under(path, directory):
    """Whether ``path`` lies in ``directory`` (relative paths; '' is the dags folder's top)."""
    return not directory or path.startswith(directory.rstrip("/") + "/")


# ----- planning --------------------------------------------------------------------------------
class FilePlan:
    """What a deployment does: paths to add, change and remove, and those already in place."""

    def __init__(self, added=(), changed=(), removed=(), unchanged=()):
        self.added = sorted(added)
        self.changed = sorted(changed)
        self.removed = sorted(removed)
        self.unchanged = sorted(unchanged)

    @property
    def writes(self):
        return bool(self.added or self.changed or self.removed)

    def summary(self):
        return dict(added=self.added, changed=self.changed, removed=self.removed, unchanged=self.unchanged)


def plan_present(wanted, remote, exclusive_dir=None):
    """``wanted``: {target path: sha256}; ``remote``: {path: sha256} as the plugin lists them.
    ``exclusive_dir``: the directory ('' = the whole dags folder) whose other files are removed."""
    added = [p for p in wanted if p not in remote]
    changed = [p for p in wanted if p in remote and remote[p] != wanted[p]]
    unchanged = [p for p in wanted if p in remote and remote[p] == wanted[p]]
    removed = []
    if exclusive_dir is not None:
        removed = [p for p in remote if p not in wanted and under(p, exclusive_dir)]
    return FilePlan(added, changed, removed, unchanged)


def plan_absent(dest, remote):
    """Remove the file ``dest``, or every DAG file under the directory ``dest``."""
    dest = clean_dest(dest).rstrip("/")
    if is_dag_file_name(dest):
        return FilePlan(removed=[dest] if dest in remote else [])
    return FilePlan(removed=[p for p in remote if under(p, dest)])


def file_diff(plan, wanted, remote):
    """Before/after of the files that change, as {path: sha256}: what a reviewer needs."""
    before = dict((p, remote[p]) for p in plan.changed + plan.removed)
    after = dict((p, wanted[p]) for p in plan.added + plan.changed)
    return before, after


def looks_like_dag_file(content):
    """Airflow's own heuristic (DagBag's safe mode): a .py file that mentions neither "airflow"
    nor "dag" defines no DAG. Such helper modules are uploaded first, so the DAG files that
    import them validate against the new version."""
    lowered = content.lower()
    return b"airflow" in lowered and b"dag" in lowered


def upload_order(paths, contents):
    """Helper modules first, then DAG files and zips, each group by path."""
    def key(path):
        helper = path.endswith(".py") and not looks_like_dag_file(contents[path])
        return (0 if helper else 1, path)
    return sorted(paths, key=key)


# ----- the plugin's calls ----------------------------------------------------------------------
class DagFilesApi:
    """GET/PUT/DELETE rest_api/v1/dag-files through the one client."""

    def __init__(self, client):
        self.client = client
        self.info = None

    def require(self):
        """The plugin's version answer; fails saying how to install the plugin when it is missing."""
        if self.info is None:
            self.info = self.client.require_rest_plugin(CAPABILITY)
        return self.info

    def listing(self, directory=""):
        """{path: entry} of the DAG files under ``directory`` ('' = all)."""
        self.require()
        directory = clean_dest(directory).rstrip("/")
        params = {"prefix": directory + "/"} if directory else None
        body = self.client.get(FILES_PATH, params=params)
        files = body.get("files") or []
        return dict((entry["path"], entry) for entry in files if under(entry["path"], directory))

    def put(self, path, content):
        """Upload one file; the plugin's answer (dag_ids, mtime, created). Raises DagFileRefused
        with the import error when the plugin's validation refuses it (HTTP 422)."""
        self.require()
        response = self.client.request("PUT", self._file_path(path), data=content,
                                       content_type="application/octet-stream", ok=(200, 201, 422))
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise AirflowError("the REST plugin answered the upload of %s with something that is not a JSON object"
                               % path, "PUT", self.client.url(self._file_path(path)), status=response.status_code)
        if response.status_code == 422:
            detail = body.get("detail")
            raise DagFileRefused(path, detail if isinstance(detail, str) else str(detail),
                                 body.get("import_errors"), url=self.client.url(self._file_path(path)))
        return body

    def delete(self, path):
        """Delete one file; False when it was already gone."""
        self.require()
        return self.client.delete(self._file_path(path), ok=(200, 204, 404)) != 404

    @staticmethod
    def _file_path(path):
        return "%s/%s" % (FILES_PATH, quote(path, safe="/"))
