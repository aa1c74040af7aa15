#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_backfill
short_description: Create, pause and cancel Airflow backfills
version_added: 0.2.0
description:
  - Creates a backfill of a DAG over a range of logical dates once, pauses, unpauses or cancels it, and optionally
    waits for it to complete, through the REST API of Airflow 3 (API v2).
  - An unfinished backfill of the same DAG and range is the same backfill. Whether a new one would create any run is
    what the server's dry run says (C(POST /api/v2/backfills/dry_run)); when it would create none (every date already
    has a run that O(reprocess_behavior) keeps), nothing is created and the task reports no change.
  - Airflow 2 has no API for backfills; there the module fails before anything is sent and names the CLI command to
    use instead.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  diff_mode:
    support: full
    description: Shows the backfill before and after; for a new one, the logical dates of the runs it would create.
options:
  dag_id:
    description: The DAG. It needs a periodic schedule.
    type: str
    required: true
  from_date:
    description: The first logical date, ISO 8601 with a timezone.
    type: str
    required: true
  to_date:
    description: The last logical date, ISO 8601 with a timezone.
    type: str
    required: true
  reprocess_behavior:
    description:
      - What to do with dates that already have a run. V(none) keeps them, V(failed) runs the failed ones again,
        V(completed) runs every finished one again.
    type: str
    choices: [none, failed, completed]
    default: none
  max_active_runs:
    description: How many of the backfill's runs may run at once.
    type: int
    default: 10
  run_backwards:
    description: Run the newest date first.
    type: bool
    default: false
  dag_run_conf:
    description: The conf of every run the backfill creates. Values of secret keys never appear in the output.
    type: dict
  state:
    description:
      - V(present) creates the backfill when no unfinished one of this DAG and range exists and the dry run lists runs
        to create; an existing paused one is unpaused.
      - V(paused) pauses the unfinished backfill of this DAG and range (it must exist).
      - V(cancelled) cancels it (its queued runs fail); when there is none, nothing changes.
    type: str
    choices: [present, paused, cancelled]
    default: present
  wait:
    description: With O(state=present), wait until the backfill completes; fail naming the runs that failed.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait with O(wait).
    type: int
    default: 1800
  poll_interval:
    description: Seconds between two reads while waiting.
    type: int
    default: 5
notes:
  - Airflow runs one unfinished backfill per DAG at a time; asking for another range while one runs fails and names it.
seealso:
  - module: dagops.airflow.airflow_dag_run
"""

EXAMPLES = r"""
- name: Backfill three days once, and wait for the runs
  dagops.airflow.airflow_backfill:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    dag_id: daily_report
    from_date: "2026-01-01T00:00:00Z"
    to_date: "2026-01-03T00:00:00Z"
    max_active_runs: 2
    wait: true

- name: Cancel it
  dagops.airflow.airflow_backfill:
    dag_id: daily_report
    from_date: "2026-01-01T00:00:00Z"
    to_date: "2026-01-03T00:00:00Z"
    state: cancelled
"""

RETURN = r"""
backfill:
  description: The backfill after the task (V(null) when there is none, or in check mode for one that would be created).
  returned: success
  type: dict
  sample: {"id": 3, "dag_id": "daily_report", "from_date": "2026-01-01T00:00:00Z", "to_date": "2026-01-03T00:00:00Z",
           "is_paused": false, "reprocess_behavior": "none", "max_active_runs": 2, "completed_at": null,
           "dag_run_conf": {}}
would_create:
  description: The logical dates of the runs the server's dry run says a new backfill creates (empty when none is created).
  returned: with O(state=present)
  type: list
  elements: str
  sample: ["2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]
dag_runs:
  description: With O(wait), the backfill runs of the range when the wait ended.
  returned: with O(wait)
  type: list
  elements: dict
  sample: [{"dag_run_id": "backfill__2026-01-01T00:00:00+00:00", "logical_date": "2026-01-01T00:00:00Z",
            "state": "success", "run_type": "backfill"}]
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.backfills import (
    backfill_runs, body, create, dry_run, put_action, same_range, shown, unfinished, wait_until_completed,
)
from ansible_collections.dagops.airflow.plugins.module_utils.dags import get_dag
from ansible_collections.dagops.airflow.plugins.module_utils.dates import normalize_date_options
from ansible_collections.dagops.airflow.plugins.module_utils.masking import redact, secret_strings
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, wait_options
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError


def run(module):
    p = module.params
    client = module.client
    api = client.connect()
    if api.backfill_prefix is None:
        raise ReconcileError(api.no_backfill_api)
    get_dag(client, p["dag_id"])
    active = unfinished(client, p["dag_id"])
    mine = [b for b in active if same_range(b, p["from_date"], p["to_date"])]
    current = mine[0] if mine else None
    before = shown(current, redact) if current else {}
    result = dict(changed=False, backfill=before or None)
    if p["state"] == "present":
        return present(module, current, active, result)
    if current is None:
        if p["state"] == "cancelled":
            return result
        raise ReconcileError("DAG %r has no unfinished backfill from %s to %s to pause; create it first (state=present)"
                             % (p["dag_id"], p["from_date"], p["to_date"]))
    if p["state"] == "paused" and current.get("is_paused"):
        return result
    after = dict(before, is_paused=True)
    if p["state"] == "cancelled":
        after["completed_at"] = "(cancelled)"
    result.update(changed=True, diff=dict(before=before, after=after), backfill=after)
    if not module.check_mode:
        action = "pause" if p["state"] == "paused" else "cancel"
        result["backfill"] = shown(put_action(client, current["id"], action), redact)
    return result


def present(module, current, active, result):
    p = module.params
    client = module.client
    if current is not None:
        result["would_create"] = []
        if current.get("is_paused"):
            before = result["backfill"]
            after = dict(before, is_paused=False)
            result.update(changed=True, diff=dict(before=before, after=after), backfill=after)
            if not module.check_mode:
                result["backfill"] = shown(put_action(client, current["id"], "unpause"), redact)
        return wait(module, current["id"], result)
    if active:
        other = active[0]
        raise ReconcileError("DAG %r already has an unfinished backfill (id %s, from %s to %s) and Airflow runs one at "
                             "a time: cancel it (state=cancelled with its dates) or wait for it"
                             % (p["dag_id"], other.get("id"), other.get("from_date"), other.get("to_date")))
    request = body(p["dag_id"], p["from_date"], p["to_date"], p["reprocess_behavior"], p["max_active_runs"],
                   p["run_backwards"], p["dag_run_conf"])
    dates = dry_run(client, request)
    result["would_create"] = dates
    if not dates:
        return result
    result.update(changed=True, diff=dict(before={}, after=dict(
        dag_id=p["dag_id"], from_date=p["from_date"], to_date=p["to_date"], runs=dates,
        dag_run_conf=redact(p["dag_run_conf"]))))
    if module.check_mode:
        return result
    created = create(client, request)
    result["backfill"] = shown(created, redact)
    return wait(module, created["id"], result)


def wait(module, backfill_id, result):
    p = module.params
    if not p["wait"] or module.check_mode:
        return result
    backfill, finished = wait_until_completed(module.client, backfill_id, p["wait_timeout"], p["poll_interval"])
    runs = backfill_runs(module.client, p["dag_id"], p["from_date"], p["to_date"])
    result.update(backfill=shown(backfill, redact), dag_runs=runs)
    if not finished:
        raise ReconcileError("the backfill of DAG %r (id %s) has not completed after %s s (wait_timeout)"
                             % (p["dag_id"], backfill_id, p["wait_timeout"]), **result)
    failed = [r["dag_run_id"] for r in runs if r["state"] == "failed"]
    if failed:
        raise ReconcileError("the backfill of DAG %r completed with failed runs: %s" % (p["dag_id"], ", ".join(failed)),
                             **result)
    return result


def main():
    module = AirflowModule(argument_spec=dict(
        dag_id=dict(type="str", required=True),
        from_date=dict(type="str", required=True),
        to_date=dict(type="str", required=True),
        reprocess_behavior=dict(type="str", default="none", choices=["none", "failed", "completed"]),
        max_active_runs=dict(type="int", default=10),
        run_backwards=dict(type="bool", default=False),
        dag_run_conf=dict(type="dict"),
        state=dict(type="str", default="present", choices=["present", "paused", "cancelled"]),
        wait=dict(type="bool", default=False),
        **wait_options(wait_timeout=1800, poll_interval=5),
    ))
    p = module.params
    for value in secret_strings(p["dag_run_conf"]):
        module.hide(value)
    normalize_date_options(module, ("from_date", "to_date"))
    if p["from_date"] > p["to_date"]:
        module.fail_json(msg="from_date (%s) is after to_date (%s)" % (p["from_date"], p["to_date"]))
    if p["max_active_runs"] < 1:
        module.fail_json(msg="max_active_runs must be 1 or more, got %d" % p["max_active_runs"])
    if p["wait"] and p["state"] != "present":
        module.fail_json(msg="wait applies to state=present")
    module.run(lambda: run(module))


if __name__ == "__main__":
    main()
