"""The endpoints' work, independent of Flask and FastAPI: each method answers (HTTP status, body)
or raises ApiError."""
import os
import time

from dagops_rest_api import CAPABILITIES, PLUGIN_NAME, PLUGIN_VERSION, deploy
from dagops_rest_api.batch import check_batch_size, parse_batch
from dagops_rest_api.errors import ApiError
from dagops_rest_api.files import atomic_write, describe, sha256_bytes, sha256_file, walk_dag_files
from dagops_rest_api.fingerprint import fingerprint_items, parse_request
from dagops_rest_api.paths import dag_file_target, prefix_directory, relative_path
from dagops_rest_api.validation import first_line, validate_dag_file, validate_tree


class DagOpsService:
    """One request's view of the plugin: its settings, the metadata store, the validator."""

    def __init__(self, settings, store, versions, validator=validate_dag_file, tree_validator=validate_tree):
        self.settings = settings
        self.store = store
        self.versions = versions  # (airflow version, "v1"|"v2")
        self.validator = validator
        self.tree_validator = tree_validator

    @property
    def root(self):
        return os.path.realpath(self.settings.dags_folder)

    def version(self):
        airflow_version, api = self.versions
        return 200, {"plugin": PLUGIN_NAME, "plugin_version": PLUGIN_VERSION, "airflow_version": airflow_version,
                     "api": api, "capabilities": list(CAPABILITIES), "dags_folder": self.root,
                     "max_file_size": self.settings.max_file_size, "max_batch_size": self.settings.max_batch_size}

    def list_files(self, prefix=""):
        deploy.repair_if_needed(self)
        root = self.root
        start = prefix_directory(root, prefix)
        parsed = self.store.parse_state_by_file()
        files = []
        for absolute in walk_dag_files(root, start) if os.path.isdir(start) else []:
            entry = describe(root, absolute)
            state = parsed.get(entry["path"]) or {}
            entry["dag_ids"] = state.get("dag_ids") or []
            entry["parsed_at"] = state.get("parsed_at")
            files.append(entry)
        return 200, {"dags_folder": root, "files": files, "total_entries": len(files)}

    def check_size(self, size):
        if size is not None and size > self.settings.max_file_size:
            raise ApiError(413, f"the file has {size} bytes, more than [rest_api_plugin] max_file_size "
                                f"({self.settings.max_file_size})")

    def put_file(self, path, data):
        deploy.repair_if_needed(self)
        target = dag_file_target(self.root, path)
        self.check_size(len(data))
        existed = os.path.isfile(target)
        if existed and sha256_file(target) == sha256_bytes(data):
            return 200, self._file_answer(path, target, changed=False, created=False,
                                          dag_ids=self.store.dag_ids_by_file().get(path, []))
        validation = self.validator(data, path, self.settings)
        if validation.import_errors:
            raise ApiError(422, first_line(validation.import_errors[path]), import_errors=validation.import_errors)
        atomic_write(target, data)
        self.store.request_parse(path, target)
        return (200 if existed else 201), self._file_answer(path, target, changed=True, created=not existed,
                                                            dag_ids=validation.dag_ids)

    def _file_answer(self, path, target, changed, created, dag_ids):
        entry = describe(self.root, target)
        entry.update(path=path, changed=changed, created=created, dag_ids=dag_ids, import_errors={})
        return entry

    def delete_file(self, path):
        deploy.repair_if_needed(self)
        target = dag_file_target(self.root, path)
        if not os.path.isfile(target):
            raise ApiError(404, f"no DAG file {path!r} in the dags folder")
        os.unlink(target)
        return 200, {"path": path, "deleted": True}

    def check_batch_size(self, size):
        check_batch_size(size, self.settings)

    def batch(self, archive):
        """POST v1/dag-files/batch: `archive` the request body (a tar archive)."""
        return deploy.batch(self, parse_batch(archive, self.settings))

    def rollback(self, dry_run=False):
        return deploy.rollback(self, dry_run=dry_run)

    def fingerprint(self, body):
        salt, items = parse_request(body)
        return 200, fingerprint_items(salt, items, self.store)

    def wait_for_dags(self, path, dag_ids, timeout, interval=1.0):
        """True once every id in `dag_ids` is known for `path` in the metadata database."""
        deadline = time.monotonic() + timeout
        while True:
            if set(dag_ids) <= set(self.store.dag_ids_by_file().get(path, [])):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)

    def relative(self, absolute):
        return relative_path(self.root, absolute)
