# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""A deployment as one batch through the REST plugin (docs/rest_api_plugin.md, ``POST
rest_api/v1/dag-files/batch``): the archive, the call, its refusal, the rollback, and the wait for
the batch's DAGs with one listing per poll."""

from __future__ import annotations

import io
import json
import tarfile
import time

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.rest_plugin import PLUGIN_PREFIX
from ansible_collections.dagops.airflow.plugins.module_utils.dags import PARSE_GRACE
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError

BATCH_CAPABILITY = "dag-files-batch"
BATCH_PATH = PLUGIN_PREFIX + "v1/dag-files/batch"
ROLLBACK_PATH = PLUGIN_PREFIX + "v1/dag-files/rollback"
MANIFEST = "dagops-batch.json"


class BatchRefused(AirflowError):
    """The plugin refused the batch (HTTP 422): files failed to import, nothing was changed."""

    def __init__(self, message, import_errors, url=None):
        self.import_errors = dict(import_errors or {})
        lines = ["the batch was refused, nothing in the dags folder changed: %s" % message]
        for path in sorted(self.import_errors):
            lines.append("--- %s:\n%s" % (path, (self.import_errors[path] or "").rstrip()))
        super().__init__("\n".join(lines), "POST", url, status=422, server_message=message)


def build_archive(files, remove):
    """The batch's tar archive: ``files`` {path: bytes} to write, ``remove`` [paths] to delete."""
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as tar:
        members = [(MANIFEST, json.dumps({"remove": sorted(remove)}).encode("utf-8"))] + sorted(files.items())
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return stream.getvalue()


class BatchApi:
    """The batch and rollback calls, next to DagFilesApi (whose ``require`` finds the plugin)."""

    def __init__(self, files_api):
        self.files_api = files_api
        self.client = files_api.client

    def available(self):
        return BATCH_CAPABILITY in (self.files_api.require().get("capabilities") or ())

    def send(self, files, remove):
        """The plugin's answer (files, dag_ids, release); BatchRefused on import errors. A lost
        answer may be sent again: the same batch again changes nothing more."""
        response = self.client.request("POST", BATCH_PATH, data=build_archive(files, remove),
                                       content_type="application/x-tar", ok=(200, 422), idempotent=True)
        body = self._body(response, BATCH_PATH)
        if response.status_code == 422:
            raise BatchRefused(str(body.get("detail")), body.get("import_errors"), url=self.client.url(BATCH_PATH))
        return body

    def rollback(self, dry_run=False):
        """The plugin's answer; None when there is no batch to roll back (HTTP 409)."""
        params = {"dry_run": "true"} if dry_run else None
        response = self.client.request("POST", ROLLBACK_PATH, params=params, ok=(200, 409))
        if response.status_code == 409:
            return None
        return self._body(response, ROLLBACK_PATH)

    def _body(self, response, path):
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise AirflowError("the REST plugin answered with something that is not a JSON object", "POST",
                               self.client.url(path), status=response.status_code)
        return body


class BatchWaiter:
    """Waits until Airflow has parsed every written file of a batch, looking at the plugin's listing
    once per poll (its ``dag_ids`` and ``parsed_at`` per file, the server's clock like ``mtime``).
    A replaced file's parse counts when it ended PARSE_GRACE after the write, or when a second parse
    after the write is seen (the first may have started before the write)."""

    def __init__(self, files_api, directory, expected, replaced, timeout, interval,
                 sleep=time.sleep, clock=time.monotonic):
        self.files_api = files_api
        self.directory = directory
        self.expected = dict((path, set(ids)) for path, ids in expected.items() if ids)
        self.replaced = set(replaced)
        self.timeout = timeout
        self.interval = interval
        self.sleep = sleep
        self.clock = clock
        self.early = {}

    def wait(self):
        deadline = self.clock() + self.timeout
        pending = set(self.expected)
        while pending:
            listing = self.files_api.listing(self.directory)
            pending = set(path for path in pending if not self._parsed(path, listing.get(path)))
            if not pending:
                break
            if self.clock() >= deadline:
                raise ReconcileError(
                    "%d of the batch's files were not parsed by Airflow within %s s (their DAGs did not appear, "
                    "or only a parse older than the write): %s. The files are deployed; the DAG processor may be "
                    "busy or down" % (len(pending), self.timeout, ", ".join(sorted(pending))),
                    changed=True, not_parsed=sorted(pending))
            self.sleep(max(0, min(self.interval, deadline - self.clock())))

    def _parsed(self, path, entry):
        if not entry or not self.expected[path] <= set(entry.get("dag_ids") or ()):
            return False
        parsed, written = entry.get("parsed_at"), entry.get("mtime")
        if parsed is None or written is None or parsed <= written:
            return False
        if path not in self.replaced or parsed - written >= PARSE_GRACE:
            return True
        first = self.early.setdefault(path, parsed)
        return parsed > first
