# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Records every task result of the examples playbook as a JSON line, for run_examples.py.

Enabled by run_examples.py only (ANSIBLE_CALLBACKS_ENABLED), writing to $EXAMPLES_RECORD. It keeps
what the runner checks (play, task, action, status, why a task was skipped), never a result's
values, so the record holds no secret.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: example_record
type: aggregate
short_description: Record the task results of the module examples' playbook
description:
  - Writes one JSON line per task result to the file named by the EXAMPLES_RECORD environment variable.
requirements:
  - the EXAMPLES_RECORD environment variable
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "example_record"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._path = os.environ.get("EXAMPLES_RECORD")
        self._play = None
        self._task_started = time.monotonic()

    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_started = time.monotonic()

    def _record(self, result, status):
        if not self._path:
            return
        res = result._result
        task = result._task
        entry = {
            "play": self._play,
            "task": task.get_name(),
            "action": getattr(task, "resolved_action", None) or task.action,
            "status": "changed" if status == "ok" and res.get("changed") else status,
            "false_condition": "false_condition" in res,
            "skipped_reason": res.get("skipped_reason") or res.get("skip_reason"),
            "seconds": round(time.monotonic() - self._task_started, 1),
        }
        with open(self._path, "a", encoding="utf-8") as record:
            record.write(json.dumps(entry) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")
