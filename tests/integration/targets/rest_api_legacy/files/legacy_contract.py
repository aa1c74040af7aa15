"""The old REST API plugin's README, call by call, against a real server (2.11 or 3.x).

    legacy_contract.py INTEGRATION_CONFIG

Each README example is sent with curl as the README writes it (host, port, admin credentials and,
on a second web process of the same server started with the plugin's token, the token filled in);
its answer must be the README's envelope with status OK, and its effect is read back through
Airflow's stable API. Then the refusals: the daemons, a viewer, no credentials, a wrong token, and
values that would be commands or options in a shell (`$(touch MARKER);echo`, `--help`,
`../../etc/passwd`), after which the marker file must not exist. Prints one line per check; exits 1
at the first failure. Stdlib and curl only.
"""
import base64
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

CONFIG = json.load(open(sys.argv[1], encoding="utf-8"))
BASE = CONFIG["airflow_url"]
ADMIN = f"{CONFIG['airflow_username']}:{CONFIG['airflow_password']}"
VIEWER = f"{CONFIG['airflow_viewer_username']}:{CONFIG['airflow_viewer_password']}"
V1 = CONFIG["airflow_api"] == "v1"
DAGS = CONFIG["airflow_dags_folder"]
HARNESS, STATE = CONFIG["airflow_harness"], CONFIG["airflow_state_dir"]
DAG_ID, BACKFILL_DAG = "it_legacy_dag", "it_legacy_backfill"
TOKEN = "it-legacy-token"
ENVELOPE_KEYS = {"arguments", "post_arguments", "call_time", "output", "response_time", "status",
                 "http_response_code"}
WORK = tempfile.mkdtemp(prefix="it-legacy-")
MARKER = os.path.join(WORK, "pwned")
STARTED = time.monotonic()

DAG_SOURCE = '''import datetime
from airflow import DAG
try:
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.providers.standard.operators.empty import EmptyOperator
except ImportError:
    from airflow.operators.bash import BashOperator
    from airflow.operators.empty import EmptyOperator

with DAG("%s", start_date=datetime.datetime(2024, 1, 1), schedule="@daily", catchup=False,
         tags=["%s"]) as dag:
    first = BashOperator(task_id="first", bash_command="echo conf={{ dag_run.conf.get('key', 'none') }}")
    second = EmptyOperator(task_id="second")
    first >> second
'''
BACKFILL_SOURCE = '''import datetime
from airflow import DAG
try:
    from airflow.providers.standard.operators.empty import EmptyOperator
except ImportError:
    from airflow.operators.empty import EmptyOperator

with DAG("%s", start_date=datetime.datetime(2024, 1, 1), schedule="@daily", catchup=False):
    EmptyOperator(task_id="only")
''' % BACKFILL_DAG


def check(condition, what, detail=""):
    print(f"{'ok  ' if condition else 'FAIL'} [{time.monotonic() - STARTED:5.1f}s] {what}", flush=True)
    if not condition:
        print(str(detail)[:4000])
        sys.exit(1)


def curl(command):
    """Runs a curl command line (written as in the README); (HTTP status, parsed JSON or text)."""
    argv = shlex.split(command) + ["-s", "-o", "-", "-w", "\n%{http_code}"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=300)
    body, _newline, code = done.stdout.rpartition("\n")
    try:
        return int(code), json.loads(body)
    except ValueError:
        return int(code or 0), body


def legacy(query, base=BASE, auth=ADMIN, path="/admin/rest_api/api", extra=""):
    """curl [-u auth] [extra] 'BASE/PATH?QUERY' as the README shows it."""
    user = f"-u {shlex.quote(auth)} " if auth else ""
    return curl(f"curl {user}{extra} {shlex.quote(f'{base}{path}?{query}')}")


def ok(query, what, **kwargs):
    status, body = legacy(query, **kwargs)
    good = status == 200 and isinstance(body, dict) and body.get("status") == "OK" and ENVELOPE_KEYS <= set(body)
    check(good and body.get("http_response_code") == 200, f"{what}: OK in the README envelope", (status, body))
    return body


def refused(query, status, what, text="", **kwargs):
    got, body = legacy(query, **kwargs)
    good = got == status and isinstance(body, dict) and body.get("status") == "ERROR"
    check(good and body.get("http_response_code") == status and text in body.get("output", ""),
          f"{what}: {status} ERROR" + (f" ({text})" if text else ""), (got, body))
    return body


# --- the stable API, to read the effects back ----------------------------------------------------
def _stable_auth():
    if V1:
        return "Basic " + base64.b64encode(ADMIN.encode()).decode()
    request = urllib.request.Request(f"{BASE}/auth/token", method="POST", headers={"Content-Type": "application/json"},
                                     data=json.dumps({"username": CONFIG["airflow_username"],
                                                      "password": CONFIG["airflow_password"]}).encode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return "Bearer " + json.load(response)["access_token"]


STABLE_AUTH = _stable_auth()


def stable(method, path, body=None):
    """(status, JSON) of Airflow's own REST API (v1 on 2.11, v2 on 3.x)."""
    headers = {"Authorization": STABLE_AUTH}
    if body is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(f"{BASE}/api/{CONFIG['airflow_api']}/{path}", method=method, headers=headers,
                                     data=None if body is None else json.dumps(body).encode())
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def poll(read, what, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value or time.monotonic() > deadline:
            check(bool(value), what, value)
            return value
        time.sleep(0.5)


def deploy(path, name, source, flags):
    with open(os.path.join(WORK, name), "w", encoding="utf-8") as handle:
        handle.write(source)
    form = " ".join(f"-F {shlex.quote(flag)}" for flag in flags)
    return curl(f"curl -u {shlex.quote(ADMIN)} -X POST -H 'Content-Type: multipart/form-data' "
                f"-F 'dag_file=@{os.path.join(WORK, name)}' {form} {BASE}{path}?api=deploy_dag")


# --- the calls -------------------------------------------------------------------------------------
def deploy_and_list():
    for dag_id in (DAG_ID, BACKFILL_DAG):  # a rerun on the same server starts without the old runs
        status, body = stable("DELETE", f"dags/{dag_id}")
        check(status in (200, 204, 404), f"no leftovers of {dag_id}", (status, body))
    status, body = deploy("/admin/rest_api/api", f"{DAG_ID}.py", DAG_SOURCE % (DAG_ID, "v1"), ["force=on", "pause=on"])
    check(status == 200 and body.get("status") == "OK" and not body.get("warning"),
          "deploy_dag at /admin/rest_api/api (force, pause): deployed and paused once parsed", body)
    with open(os.path.join(DAGS, f"{DAG_ID}.py"), encoding="utf-8") as handle:
        check(handle.read() == DAG_SOURCE % (DAG_ID, "v1"), "deploy_dag: the file is in the dags folder")
    check(stable("GET", f"dags/{DAG_ID}")[1].get("is_paused") is True, "deploy_dag: the stable API has the DAG, paused")
    status, body = deploy("/admin/rest_api/api", f"{BACKFILL_DAG}.py", BACKFILL_SOURCE, ["force=on", "unpause=on"])
    check(status == 200 and body.get("status") == "OK", "deploy_dag: a second DAG, unpaused", body)
    for query in ("api=version", "api=rest_api_plugin_version"):
        ok(query, query)
    check(ok("api=version", "version")["output"] == CONFIG["airflow_version"], "version: Airflow's version")
    check(ok("api=version", "/rest_api/api", path="/rest_api/api")["output"] == CONFIG["airflow_version"],
          "version at /rest_api/api too")
    check(DAG_ID in ok("api=list_dags", "list_dags")["output"], "list_dags lists the deployed DAG")
    check("import errors" in ok("api=list_dags&report", "list_dags&report")["output"], "list_dags&report: the report")
    check(ok(f"api=list_tasks&dag_id={DAG_ID}", "list_tasks")["output"].split() == ["first", "second"],
          "list_tasks: the DAG's tasks")
    check("second" in ok(f"api=list_tasks&dag_id={DAG_ID}&tree", "list_tasks&tree")["output"], "list_tasks&tree")


def variables():
    ok("api=variables&cmd=set&key=myVar1&value=myValue1", "variables cmd=set (the README's myVar1=myValue1)")
    check(stable("GET", "variables/myVar1")[1].get("value") == "myValue1", "variables: the stable API reads myValue1")
    check(ok("api=variables&get=myVar1", "variables get")["output"] == "myValue1", "variables get: myValue1")
    check("myVar1" in ok("api=variables", "variables (list)")["output"].split(), "variables: the list has myVar1")
    ok("api=variables&cmd=set&key=itJson&value=%7B%22a%22%3A1%7D", "variables cmd=set of JSON")
    check(json.loads(ok("api=variables&get=itJson&json", "variables get&json")["output"]) == {"a": 1},
          "variables get&json: deserialized")
    check(ok("api=variables&get=itMissing&default=fallback", "variables get&default")["output"] == "fallback",
          "variables default: for a missing key")
    ok("api=variables&export=it_legacy_vars.json", "variables export (inside the dags folder)")
    with open(os.path.join(DAGS, "it_legacy_vars.json"), encoding="utf-8") as handle:
        exported = json.load(handle)
    check(exported.get("myVar1") == "myValue1" and exported.get("itJson") == {"a": 1}, "variables export: the file")
    with open(os.path.join(DAGS, "it_legacy_import.json"), "w", encoding="utf-8") as handle:
        json.dump({"itImported": "yes"}, handle)
    ok("api=variables&import=it_legacy_import.json", "variables import")
    check(stable("GET", "variables/itImported")[1].get("value") == "yes", "variables import: the stable API has it")
    for key in ("myVar1", "itJson", "itImported"):
        ok(f"api=variables&delete={key}", f"variables delete {key}")
    check(stable("GET", "variables/myVar1")[0] == 404, "variables delete: the stable API answers 404")
    for name in ("it_legacy_vars.json", "it_legacy_import.json"):
        os.remove(os.path.join(DAGS, name))


def connections():
    uri = urllib.parse.quote("postgres://it_user:it_secret@db.example.com:5432/it_db", safe="")
    body = ok(f"api=connections&add=on&conn_id=it_legacy_uri&conn_uri={uri}", "connections add=on with conn_uri")
    check("it_secret" not in json.dumps(body), "connections add: the password is not echoed", body)
    ok("api=connections&add=true&conn_id=it_legacy_fields&conn_type=http&conn_host=example.com&conn_port=8080"
       "&conn_extra=%7B%22timeout%22%3A3%7D", "connections add=true with separate fields")
    ok("api=connections&add&conn_id=it_legacy_bare&conn_type=http", "connections add (bare flag)")
    stored = stable("GET", "connections/it_legacy_uri")[1]
    check(stored.get("host") == "db.example.com" and stored.get("login") == "it_user", "connections: stored", stored)
    check(stable("GET", "connections/it_legacy_fields")[1].get("port") == 8080, "connections: the fields stored")
    listing = ok("api=connections", "connections (the README example)")["output"]
    check("it_legacy_uri" in listing and "it_secret" not in listing, "connections list: ids, no password")
    ok("api=connections&list", "connections&list")
    refused("api=connections&add=on&conn_id=it_legacy_uri&conn_type=http", 400, "connections add of an existing id",
            "already exists")
    for conn_id in ("it_legacy_uri", "it_legacy_fields", "it_legacy_bare"):
        ok(f"api=connections&delete=on&conn_id={conn_id}", f"connections delete {conn_id}")
    check(stable("GET", "connections/it_legacy_uri")[0] == 404, "connections delete: the stable API answers 404")


def pools():
    ok("api=pool&cmd=set&pool_name=myTestpool&slot_count=10&description=myTestpoolDescription",
       "pool cmd=set (the README's myTestpool)")
    stored = stable("GET", "pools/myTestpool")[1]
    check(stored.get("slots") == 10 and stored.get("description") == "myTestpoolDescription", "pool: stored", stored)
    check("myTestpool" in ok("api=pool&get=myTestpool", "pool get")["output"], "pool get: the pool")
    check("default_pool" in ok("api=pool", "pool (list)")["output"], "pool: the list")
    ok("api=pool&delete=myTestpool", "pool delete")
    check(stable("GET", "pools/myTestpool")[0] == 404, "pool delete: the stable API answers 404")


def pause_and_runs():
    ok(f"api=unpause&dag_id={DAG_ID}", "unpause (the README example)")
    check(stable("GET", f"dags/{DAG_ID}")[1].get("is_paused") is False, "unpause: the stable API says unpaused")
    ok(f"api=pause&dag_id={DAG_ID}", "pause (the README example)")
    check(stable("GET", f"dags/{DAG_ID}")[1].get("is_paused") is True, "pause: the stable API says paused")
    ok(f"api=trigger_dag&dag_id={DAG_ID}&run_id=run_id_2016_01_01&conf=%7B%22key%22%3A%22value%22%7D",
       "trigger_dag with run_id and URL-encoded conf (the README example)")
    run = stable("GET", f"dags/{DAG_ID}/dagRuns/run_id_2016_01_01")[1]
    check(run.get("conf") == {"key": "value"}, "trigger_dag: the run has the conf", run)
    logical = run.get("logical_date") or run.get("execution_date")
    check(bool(logical), "trigger_dag: the run has a logical date", run)
    second = logical[:19]  # the README's YYYY-mm-DDTHH:MM:SS
    state = ok(f"api=dag_state&dag_id={DAG_ID}&execution_date={second}", "dag_state with the README's date form")
    check(state["output"].split(",")[0] == run["state"], "dag_state: the run's state", (state["output"], run))
    iso = urllib.parse.quote(logical, safe="")
    ok(f"api=dag_state&dag_id={DAG_ID}&execution_date={iso}", "dag_state with full ISO 8601")
    refused(f"api=dag_state&dag_id={DAG_ID}&execution_date=2017-01-02T03:04:05", 404, "dag_state of no run",
            "not found")
    time.sleep(1.1)  # one run per second, as Airflow 1.10 and 2 named them
    ok(f"api=trigger_dag&dag_id={DAG_ID}", "trigger_dag (the README's first example)")
    return run, second


def task_instances(run, second):
    if V1:
        status = stable("POST", f"dags/{DAG_ID}/updateTaskInstancesState",
                        {"dag_run_id": run["dag_run_id"], "task_id": "first", "new_state": "success",
                         "dry_run": False, "include_upstream": False, "include_downstream": False,
                         "include_future": False, "include_past": False})[0]
    else:
        status = stable("PATCH", f"dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances/first",
                        {"new_state": "success"})[0]
    check(status == 200, "the stable API marks task first success", status)
    state = ok(f"api=task_state&dag_id={DAG_ID}&task_id=first&execution_date={second}", "task_state (README form)")
    check(state["output"] == "success", "task_state: success", state)
    rendered = ok(f"api=render&dag_id={DAG_ID}&task_id=first&execution_date={second}", "render")["output"]
    check("echo conf=value" in rendered, "render: the template rendered with the run's conf", rendered)
    ok(f"api=task_failed_deps&dag_id={DAG_ID}&task_id=second&execution_date={second}", "task_failed_deps")
    day = second[:10]
    ok(f"api=clear&dag_id={DAG_ID}&task_regex=first&start_date={day}&end_date={day}T23%3A59%3A59", "clear")
    cleared = stable("GET", f"dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances/first")[1]
    check(cleared.get("state") in (None, "none", "scheduled", "queued"), "clear: the task instance is cleared",
          cleared)
    refused(f"api=run&dag_id={DAG_ID}&task_id=first&execution_date={second}", 403, "run without "
            "allow_task_execution", "allow_task_execution")
    refused(f"api=test&dag_id={DAG_ID}&task_id=first&execution_date={second}", 403, "test without "
            "allow_task_execution", "allow_task_execution")


def backfill_and_refresh():
    ok(f"api=backfill&dag_id={BACKFILL_DAG}", "backfill (the README example: today, UTC)")
    if V1:
        runs = stable("GET", f"dags/{BACKFILL_DAG}/dagRuns")[1].get("dag_runs", [])
        check(any(run.get("run_type") == "backfill" for run in runs), "backfill: a backfill run exists", runs)
    else:
        backfills = stable("GET", f"backfills?dag_id={BACKFILL_DAG}")[1]
        check(backfills.get("total_entries", 0) >= 1, "backfill: the stable API lists the backfill", backfills)
    before = stable("GET", f"dags/{DAG_ID}")[1].get("last_parsed_time")
    with open(os.path.join(DAGS, f"{DAG_ID}.py"), "w", encoding="utf-8") as handle:
        handle.write(DAG_SOURCE % (DAG_ID, "v2"))
    ok(f"api=refresh_dag&dag_id={DAG_ID}", "refresh_dag")

    def refreshed():
        dag = stable("GET", f"dags/{DAG_ID}")[1]
        names = [tag.get("name") for tag in dag.get("tags") or []]
        return "v2" in names and dag.get("last_parsed_time") != before
    poll(refreshed, "refresh_dag: the stable API shows the DAG as its file now is")
    ok("api=refresh_all_dags", "refresh_all_dags")


def refusals():
    for daemon in ("kerberos", "worker", "flower", "scheduler", "serve_logs"):
        refused(f"api={daemon}", 400, f"the daemon {daemon}", "dagops.airflow.airflow role")
    refused("api=version", 403, "a viewer", auth=VIEWER)
    refused("api=version", 401, "no credentials", auth=None)
    refused("api=version", 401, "wrong credentials", auth=f"{CONFIG['airflow_username']}:wrong-password")
    refused("api=nope", 400, "an unknown call", "unsupported api")
    refused("api=render", 400, "render without its arguments (the README's bare example)", "dag_id")
    refused("api=clear", 400, "clear without dag_id (the README's bare example)", "dag_id")


def injections():
    shell = urllib.parse.quote(f"$(touch {MARKER});echo", safe="")
    ok(f"api=variables&cmd=set&key=it_inject&value={shell}", "a shell command as a variable's value")
    check(stable("GET", "variables/it_inject")[1].get("value") == f"$(touch {MARKER});echo",
          "the value is stored as the text it is")
    ok("api=variables&delete=it_inject", "variables delete it_inject")
    refused(f"api=list_tasks&dag_id={shell}", 404, "a shell command as dag_id of list_tasks", "not found")
    refused(f"api=render&dag_id={shell}&task_id=first&execution_date=2024-01-01T00:00:00", 400,
            "a shell command as dag_id of a CLI call", "not an Airflow id")
    refused(f"api=render&dag_id={DAG_ID}&task_id=--help&execution_date=2024-01-01T00:00:00", 400,
            "--help as task_id of a CLI call", "not an Airflow id")
    refused("api=clear&dag_id=--help", 400, "--help as dag_id of clear", "not an Airflow id")
    refused(f"api=clear&dag_id={DAG_ID}&task_regex=x&start_date={shell}", 400, "a shell command as a date",
            "could not be identified as a date")
    refused(f"api=trigger_dag&dag_id={DAG_ID}&conf={shell}", 400, "a shell command as conf", "conf is not valid JSON")
    for call in ("list_dags&subdir", "variables&import", "variables&export", "pause&dag_id=x&subdir"):
        refused(f"api={call}=../../etc/passwd", 400, f"../../etc/passwd as {call.rsplit('&', maxsplit=1)[-1]}", "outside the dags")
    refused(f"api=list_dags&subdir={urllib.parse.quote('/etc', safe='')}", 400, "/etc as subdir", "outside the dags")
    check(not os.path.exists(MARKER), "nothing ran: the marker file does not exist")


def start_token_web():
    """A second web process of the same server with [rest_api_plugin] rest_api_plugin_expected_http_token
    and allow_task_execution set (the harness's `web`), started first so it boots while the other
    checks run."""
    env = {"AIRFLOW__REST_API_PLUGIN__REST_API_PLUGIN_EXPECTED_HTTP_TOKEN": TOKEN,
           "AIRFLOW__REST_API_PLUGIN__ALLOW_TASK_EXECUTION": "True"}
    if V1:  # gunicorn drops header names with underscores unless told otherwise (docs/rest_api_plugin.md)
        env["GUNICORN_CMD_ARGS"] = "--header-map=dangerous"
    argv = [sys.executable, HARNESS, "web", "--state-dir", STATE] + [f"--env={k}={v}" for k, v in env.items()]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def with_token(starting):
    """The README's token examples, and run/test with allow_task_execution, on the second web process."""
    out, err = starting.communicate(timeout=300)
    check(starting.returncode == 0, "a second web process with the token and allow_task_execution", err)
    web = json.loads(out)["url"]
    header = f"--header {shlex.quote(f'rest_api_plugin_http_token: {TOKEN}')}"
    ok("api=version", "the README's token example (with the admin's credentials)", base=web, extra=header)
    hyphen = f"--header {shlex.quote(f'rest-api-plugin-http-token: {TOKEN}')}"
    ok("api=version", "the token in the hyphenated header spelling", base=web, extra=hyphen)
    body = refused("api=version", 403, "no token", "Token Authentication Failed", base=web)
    check(body["output"] == "Token Authentication Failed", "the README's 403 envelope", body)
    wrong = f"--header {shlex.quote('rest_api_plugin_http_token: wrong')}"
    refused("api=version", 403, "a wrong token", "Token Authentication Failed", base=web, extra=wrong)
    refused("api=version", 401, "the token without Airflow credentials (legacy_token_only is off)", base=web,
            auth=None, extra=header)
    refused("api=version", 403, "the token with a viewer's credentials", base=web, auth=VIEWER, extra=header)
    run = stable("GET", f"dags/{DAG_ID}/dagRuns/run_id_2016_01_01")[1]
    second = (run.get("logical_date") or run.get("execution_date"))[:19]
    tested = ok(f"api=test&dag_id={DAG_ID}&task_id=first&execution_date={second}",
                "test with allow_task_execution", base=web, extra=header)
    check("conf=value" in tested["output"], "test: the task ran and echoed the run's conf", tested["output"])
    ok(f"api=run&dag_id={BACKFILL_DAG}&task_id=only&execution_date={second[:10]}T00%3A00%3A00",
       "run with allow_task_execution", base=web, extra=header)


def cleanup():
    for name in (f"{DAG_ID}.py", f"{BACKFILL_DAG}.py"):
        path = os.path.join(DAGS, name)
        if os.path.exists(path):
            os.remove(path)


def main():
    starting = start_token_web()
    try:
        deploy_and_list()
        variables()
        connections()
        pools()
        run, second = pause_and_runs()
        task_instances(run, second)
        backfill_and_refresh()
        refusals()
        injections()
        with_token(starting)
    finally:
        if starting.poll() is None:
            starting.kill()
        subprocess.run([sys.executable, HARNESS, "web", "--state-dir", STATE, "--stop"], check=False,
                       capture_output=True, timeout=120)
        cleanup()
    print(f"all checks passed in {time.monotonic() - STARTED:.1f} s")


if __name__ == "__main__":
    main()
