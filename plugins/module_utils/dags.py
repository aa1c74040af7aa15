# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""DAGs as the modules see them: the pausable Resource, waiting for a DAG file to be parsed,
and the import errors that explain why it was not."""

from __future__ import annotations

import posixpath
import time
from datetime import datetime, timezone

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError, Resource


class DagResource(Resource):
    """A DAG: the API cannot create one (its file does), and only ``is_paused`` is writable."""

    noun = "dag"
    collection = "dags"
    id_field = "dag_id"
    fields = ("is_paused",)
    bulk = False  # PATCH /dags pauses whatever matches a filter: not the engine's bulk form

    def to_body(self, state, fields):
        # Airflow 3 refuses any key but is_paused (422); Airflow 2 ignores read-only ones.
        return dict((f, state[f]) for f in fields)

    def validate(self, ident, desired, state, current):
        if not ident:
            return "a dag_id must not be empty"
        if state == "present" and current is None:
            # The engine would POST: no API creates a DAG, a file in the dags folder does.
            return "DAG %r does not exist: a DAG appears when the DAG processor parses a file that defines it" % ident
        return None


def desired_pause(dag_id, paused):
    return {"dag_id": dag_id, "is_paused": paused}


def get_dag(client, dag_id):
    """The DAG as the API shows it; a clear error when the server does not know it."""
    api = client.connect()
    dag = client.get_or_none(api.path("dags", dag_id))
    if dag is None:
        raise ReconcileError(
            "DAG %r does not exist on this Airflow: check the dag_id, and that a file in the dags folder "
            "defines it and has been parsed (dagops.airflow.airflow_dag with state=present waits for that)" % dag_id)
    return dag


def same_file(name, other):
    """Two names of one DAG file: equal, or one is a path that ends with the other (Airflow 2
    names files by absolute path, Airflow 3 relative to the bundle, users either way)."""
    name, other = posixpath.normpath(name), posixpath.normpath(other)
    if name == other:
        return True
    return name.endswith("/" + other.lstrip("/")) or other.endswith("/" + name.lstrip("/"))


def concerns(error, dag_id, dag_file):
    """Whether an import error is about this DAG: its file, when known; else a file named
    after the DAG, or a stack trace that quotes the dag_id."""
    filename = error.get("filename") or ""
    if dag_file:
        return same_file(filename, dag_file)
    stem = posixpath.splitext(posixpath.basename(filename))[0]
    text = error.get("stack_trace") or ""
    return stem == dag_id or "'%s'" % dag_id in text or '"%s"' % dag_id in text


def import_errors(client, dag_id, dag_file):
    api = client.connect()
    found = client.list_all(api.path("importErrors"), "import_errors", params=api.import_error_params(dag_file))
    return [error for error in found if concerns(error, dag_id, dag_file)]


def import_error_message(dag_id, error, waited=None):
    when = " (parsed at %s)" % error["timestamp"] if error.get("timestamp") else ""
    prefix = "DAG %r did not appear within %s s: " % (dag_id, waited) if waited is not None else "DAG %r: " % dag_id
    return "%sits file %s failed to import%s:\n%s" % (
        prefix, error.get("filename"), when, (error.get("stack_trace") or "").rstrip())


class DagWaiter:
    """Polls until a DAG is parsed and visible, or its file's import error is known to be current.

    An import error that was there at the first look may be stale: the file may have been fixed
    since and not parsed yet. The DAG processor re-parses every file every
    min_file_process_interval and stamps the error again each time it still fails, so an error
    that is new, or re-stamped, while we wait is current and fails at once. A stale one is only
    reported when the wait runs out. No clock of ours is compared with the server's.
    """

    def __init__(self, client, dag_id, dag_file=None, timeout=300, interval=3,
                 sleep=time.sleep, clock=time.monotonic, fresh=None):
        self.client = client
        self.dag_id = dag_id
        self.dag_file = dag_file
        self.timeout = timeout
        self.interval = interval
        self.sleep = sleep
        self.clock = clock
        # fresh(dag) -> bool: whether the DAG's last parse is recent enough (FreshParse after a
        # file was written); by default any parse is.
        self.fresh = fresh or (lambda dag: True)

    def wait(self):
        api = self.client.connect()
        deadline = self.clock() + self.timeout
        first_seen = None
        while True:
            dag = self.client.get_or_none(api.path("dags", self.dag_id))
            known = dag is not None and not api.dag_is_stale(dag)
            visible = known and self.fresh(dag)
            if visible and not dag.get("has_import_errors"):
                return dag
            errors = import_errors(self.client, self.dag_id, self.dag_file or (api.dag_file(dag) if dag else None))
            stamps = dict((_error_key(e), e.get("timestamp")) for e in errors)
            if first_seen is None:
                first_seen = stamps
            current = [e for e in errors if first_seen.get(_error_key(e)) != e.get("timestamp")]
            if current:
                raise ReconcileError(import_error_message(self.dag_id, current[0]), import_errors=errors)
            if visible and not errors:
                return dag  # flagged, but the error is gone already: the next parse clears the flag
            if self.clock() >= deadline:
                raise ReconcileError(self._timeout_message(dag, errors, not_parsed_again=known and not visible), import_errors=errors)
            self.sleep(max(0, min(self.interval, deadline - self.clock())))

    def _timeout_message(self, dag, errors, not_parsed_again=False):
        if errors:
            return import_error_message(self.dag_id, errors[0], waited=self.timeout)
        if not_parsed_again:
            return ("DAG %r was not parsed again within %s s after its file was written (last parsed at %s); "
                    "the DAG processor may be busy or down" % (self.dag_id, self.timeout, dag.get("last_parsed_time")))
        if dag is not None:
            return ("DAG %r is stale after %s s: no file in the dags folder defines it any more "
                    "(it was last parsed at %s)" % (self.dag_id, self.timeout, dag.get("last_parsed_time")))
        hint = "" if self.dag_file else "; set dag_file to have its import error reported for sure"
        return ("DAG %r did not appear within %s s: no parsed file defines it and no import error names it. "
                "Check the dag_id and that its file is in the dags folder; the DAG processor finds new files "
                "every [scheduler] dag_dir_list_interval (Airflow 2) or [dag_processor] refresh_interval "
                "(Airflow 3), 300 s by default%s" % (self.dag_id, self.timeout, hint))


# A parse that ends this many seconds after a file was written surely read the new file: parsing
# a DAG file takes well under this (Airflow 3 reports last_parse_duration; ~0.1-2 s seen here).
PARSE_GRACE = 10.0


def parse_time(text):
    """An API timestamp (``2026-01-01T00:00:00.123+00:00`` or ``...Z``) as POSIX seconds, or None."""
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.timestamp()


class FreshParse:
    """Tells whether a DAG's last parse read its file as written at ``written`` (POSIX seconds,
    the file's mtime: the server's clock, as the parse time is, so ours is never compared).

    A parse that ended after the write may have started before it and read the old file. So a
    replaced file's parse counts when it ended at least PARSE_GRACE after the write, or when an
    earlier parse also ended after the write (parses of one file never overlap, so the later one
    started after it). ``on_early`` is called at such an early parse, to ask for the next one
    soon. A new file (``replaced`` False) cannot have been read before it existed.
    """

    def __init__(self, written, replaced=True, grace=PARSE_GRACE, on_early=None):
        self.written = written
        self.replaced = replaced
        self.grace = grace
        self.on_early = on_early or (lambda dag: None)
        self.early = None   # the first parse time seen after the write, while it is too close

    def __call__(self, dag):
        parsed = parse_time(dag.get("last_parsed_time"))
        if parsed is None or parsed <= self.written:
            return False
        if not self.replaced or parsed - self.written >= self.grace:
            return True
        if self.early is None:
            self.early = parsed
            self.on_early(dag)
            return False
        return parsed > self.early


def request_reparse(client, dag):
    """Ask the DAG processor to parse the file that defines ``dag`` (an API DAG object) soon.
    Best effort: False when the server cannot take the request (Airflow before 2.10, no
    file_token, the DAG gone); the DAG is then parsed at its next regular turn."""
    api = client.connect()
    token = dag.get("file_token")
    if not token:
        return False
    path, accepted = api.reparse_call(token)
    try:
        client.request("PUT", path, ok=accepted)
    except AirflowError as err:
        if err.status in (404, 405):
            return False
        raise
    return True


def _error_key(error):
    return (error.get("filename"), error.get("bundle_name"))


def running_task_instances(client, dag_id):
    """'run/task' of every running task instance of a DAG, to say what blocks its deletion."""
    api = client.connect()
    found = client.list_all(api.path("dags", dag_id, "dagRuns", "~", "taskInstances"), "task_instances",
                            params={"state": "running"})
    return sorted("%s/%s" % (ti.get("dag_run_id"), ti.get("task_id")) for ti in found)


# What the engine adds to a result about objects in general. A result about one DAG or one run
# would only repeat 'changed' with the counts, and DAGs and runs hold no secrets to report on.
ENGINE_SUMMARY = ("created", "updated", "deleted", "unchanged", "changes", "secrets_not_verified", "secrets_policy")


def without_engine_summary(result, keep=()):
    """``result`` without the ENGINE_SUMMARY keys that are not in ``keep``."""
    for key in ENGINE_SUMMARY:
        if key not in keep:
            result.pop(key, None)
    return result
