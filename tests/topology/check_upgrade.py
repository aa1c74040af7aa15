"""Seed an Airflow with state before an upgrade, and check it after.

  check_upgrade.py seed URL USERNAME VERSION     the server answers VERSION; write a variable and a connection
  check_upgrade.py verify URL USERNAME VERSION   the server answers VERSION and still has them, and the
                                                  successful DAG run of dagops_topology_queues from before
The password in $TOPOLOGY_PASSWORD. Prints what it saw; exits 1 with the reason otherwise.
"""
import json
import os
import sys
import urllib.error
import urllib.request

VARIABLE = {"key": "topology_kept", "value": "kept across the upgrade"}
CONNECTION = {"connection_id": "topology_kept", "conn_type": "postgres", "host": "db.example.com",
              "login": "kept", "password": "kept-secret", "port": 5432}


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


def expect(what, status, answer, codes=(200,)):
    if status not in codes:
        sys.exit(f"check_upgrade: {what} answered {status}: {answer}")
    return answer


def main():
    action, base, username, version = sys.argv[1:5]
    login = expect("POST /auth/token", *call(f"{base}/auth/token", "POST",
                                             {"username": username, "password": os.environ["TOPOLOGY_PASSWORD"]}), (200, 201))
    token = login["access_token"]
    api = f"{base}/api/v2"
    answered = expect("GET /api/v2/version", *call(f"{api}/version", token=token))["version"]
    if answered != version:
        sys.exit(f"check_upgrade: the server answers version {answered}, expected {version}")
    if action == "seed":
        expect("POST variables", *call(f"{api}/variables", "POST", VARIABLE, token), (200, 201))
        expect("POST connections", *call(f"{api}/connections", "POST", CONNECTION, token), (200, 201))
        print(json.dumps({"version": answered, "seeded": [VARIABLE["key"], CONNECTION["connection_id"]]}))
        return
    variable = expect("GET the variable", *call(f"{api}/variables/{VARIABLE['key']}", token=token))
    connection = expect("GET the connection", *call(f"{api}/connections/{CONNECTION['connection_id']}", token=token))
    runs = expect("GET the DAG runs", *call(f"{api}/dags/dagops_topology_queues/dagRuns?state=success", token=token))
    seen = {"version": answered, "variable": variable.get("value"), "connection_host": connection.get("host"),
            "successful_runs": runs.get("total_entries")}
    print(json.dumps(seen))
    if variable.get("value") != VARIABLE["value"] or connection.get("host") != CONNECTION["host"] \
            or connection.get("login") != CONNECTION["login"] or not runs.get("total_entries"):
        sys.exit("check_upgrade: the variable, the connection or the DAG run from before the upgrade is gone or changed")


if __name__ == "__main__":
    main()
