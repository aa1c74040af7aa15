"""Run the test DAG through the API and check where its tasks ran.

  check_dag.py URL USERNAME HOST2_HOME HOST3_HOME   (the password in $TOPOLOGY_PASSWORD)

Unpauses dagops_topology_queues, triggers a run, waits for it to succeed, then checks that task on_q2
ran on queue q2 through host2's worker (its XCom is host2's AIRFLOW_HOME) and on_q3 on q3 through host3's.
Prints one JSON line of what it saw; exits 1 with the reason otherwise.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

DAG_ID = "dagops_topology_queues"


def call(url, method="GET", body=None, token=None):
    request = urllib.request.Request(url, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def wait(what, probe, timeout):
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            sys.exit(f"check_dag: timed out after {timeout} s waiting for {what}")
        time.sleep(3)


def main():
    base, username, home2, home3 = sys.argv[1:5]
    status, login = call(f"{base}/auth/token", "POST", {"username": username, "password": os.environ["TOPOLOGY_PASSWORD"]})
    if status not in (200, 201):
        sys.exit(f"check_dag: login answered {status}: {login}")
    token = login["access_token"]
    api = f"{base}/api/v2/dags/{DAG_ID}"
    wait("the DAG to be parsed", lambda: call(api, token=token)[0] == 200, 180)
    status, answer = call(api, "PATCH", {"is_paused": False}, token)
    if status != 200:
        sys.exit(f"check_dag: unpausing answered {status}: {answer}")
    status, run = call(f"{api}/dagRuns", "POST", {"logical_date": None}, token)
    if status not in (200, 201):
        sys.exit(f"check_dag: triggering answered {status}: {run}")
    run_id = run["dag_run_id"]

    def finished():
        state = call(f"{api}/dagRuns/{run_id}", token=token)[1]
        return state if isinstance(state, dict) and state.get("state") in ("success", "failed") else None

    final = wait(f"run {run_id}", finished, 300)
    instances = {ti["task_id"]: ti for ti in call(f"{api}/dagRuns/{run_id}/taskInstances", token=token)[1]["task_instances"]}
    seen = {"run_id": run_id, "state": final["state"], "tasks": {}}
    for task_id, queue, home in (("on_q2", "q2", home2), ("on_q3", "q3", home3)):
        ti = instances.get(task_id, {})
        xcom = call(f"{api}/dagRuns/{run_id}/taskInstances/{task_id}/xcomEntries/return_value", token=token)[1]
        ran_in = xcom.get("value") if isinstance(xcom, dict) else None
        seen["tasks"][task_id] = {"state": ti.get("state"), "queue": ti.get("queue"), "hostname": ti.get("hostname"),
                                  "worker_home": ran_in}
        if ti.get("state") != "success" or ti.get("queue") != queue or ran_in not in (home, json.dumps(home)):
            print(json.dumps(seen))
            sys.exit(f"check_dag: {task_id} should have succeeded on queue {queue} in the worker of {home}")
    print(json.dumps(seen))
    if final["state"] != "success":
        sys.exit(f"check_dag: run {run_id} ended {final['state']}")


if __name__ == "__main__":
    main()
