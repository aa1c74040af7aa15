# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Records what the playbook_export target checks of a playbook run, one JSON line per task result.

Enabled by the target's runme.sh only (ANSIBLE_CALLBACKS_ENABLED), writing to $EXPORT_RECORD: the
task, whether it changed, the counts and ids the dagops.airflow modules return (``changes``), and a
debug task's message. Never a value of a module's result, so the record holds no secret.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = r"""
name: export_record
type: aggregate
short_description: Record the task results of the playbook_export target's runs
description:
  - Writes one JSON line per task result to the file named by the EXPORT_RECORD environment variable.
requirements:
  - the EXPORT_RECORD environment variable
"""

KEPT = ("created", "updated", "deleted", "unchanged", "changes", "secrets_not_verified", "secrets_policy")


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "export_record"
    CALLBACK_NEEDS_ENABLED = True

    def _record(self, result, status):
        path = os.environ.get("EXPORT_RECORD")
        if not path:
            return
        res, task = result._result, result._task
        action = getattr(task, "resolved_action", None) or task.action
        entry = {"task": task.get_name(), "action": action, "status": status, "changed": bool(res.get("changed"))}
        if action.startswith("dagops.airflow."):
            entry.update((k, res[k]) for k in KEPT if k in res)
            if "results" in res:  # a loop (site.yml's roles and users): each item's counts and ids
                entry["items"] = [dict(((k, item[k]) for k in KEPT if k in item), changed=bool(item.get("changed")),
                                       skipped=bool(item.get("skipped"))) for item in res["results"]]
        if action in ("ansible.builtin.debug", "ansible.builtin.fail") and "msg" in res:
            entry["msg"] = res["msg"]
        with open(path, "a", encoding="utf-8") as record:
            record.write(json.dumps(entry, default=str) + "\n")

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed")

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")
