"""Reliability scenarios: ansible-playbook runs through faultproxy.py against real Airflow
servers, each checking the end state in the server's own database (never through the proxy).

Run by scripts/reliability.sh (make reliability, a stage of make test). The tests run in file
order: the server restart comes last on 3.3 and the secret scan after every run.
"""
import json
import re
import socket
import subprocess
import sys
import time

import pytest

from conftest import JWT_EXPIRATION, JWT_LEEWAY, PLAYBOOKS, RESTART_OPTIONS, recap

CONVERGE = PLAYBOOKS / "converge.yml"
DOWN = PLAYBOOKS / "down.yml"
TRANSIENT = ["drop", "drop_after", "500", "502", "503", "429", "delay"]
# The converge runs time out a request after FAULT_TIMEOUT s; a "delay" fault answers after
# FAULT_DELAY s, far past it, so a slow but healthy answer is never mistaken for a fault.
FAULT_TIMEOUT = 5
FAULT_DELAY = 12
# flavor -> (prefix, declaration) once the converge test left that state: check mode starts there.
CONVERGED = {}


def both(flavors_wanted=("3.3", "2.11")):
    return pytest.mark.parametrize("server", flavors_wanted, indirect=True)


@pytest.fixture
def server(request, servers):
    flavor = request.param
    if flavor not in servers:
        pytest.skip("Airflow %s is not in RELIABILITY_FLAVORS" % flavor)
    return servers[flavor]


@pytest.fixture
def proxy(proxies, server):
    return proxies[server.flavor]


def connection_vars(proxy, server):
    return {"airflow_url": proxy.url, "airflow_username": server.info["username"],
            "airflow_password": server.info["password"]}


def declaration(prefix, secret_values, version=1, timeout=30, count=4):
    """The objects the converge playbook applies: ``count`` of each kind in the bulk form plus one
    in the single form. ``version`` 2 changes every value, adds an object and removes one."""
    def secret():
        return secret_values.new()

    # A variable's value is secret where its key says so (Airflow's sensitive words): even ones.
    variables = [{"key": "%s_var_%02d_secret" % (prefix, i), "value": secret(), "description": "v%d" % version}
                 if i % 2 == 0 else {"key": "%s_var_%02d" % (prefix, i), "value": "plain-%d-%d" % (i, version),
                                     "description": "v%d" % version} for i in range(count)]
    connections = [{"conn_id": "%s_conn_%02d" % (prefix, i), "conn_type": "http", "host": "h%d.example" % version,
                    "login": "user%d" % i, "password": secret(), "port": 8000 + version,
                    "extra": {"api_key": secret(), "region": "r%d" % version}} for i in range(count)]
    pools = [{"name": "%s_pool_%02d" % (prefix, i), "slots": i + version, "description": "p%d" % version,
              "include_deferred": version == 2} for i in range(count)]
    if version == 2:
        for items, key in ((variables, "key"), (connections, "conn_id"), (pools, "name")):
            items[0] = {key: items[0][key], "state": "absent"}
            extra = dict(items[1], **{key: items[1][key].replace("_01", "_new")})
            items.append(extra)
    return {
        "timeout": timeout,
        "variables": variables,
        "variable": {"key": "%s_single_password" % prefix, "value": secret(), "description": "s%d" % version,
                     "state": "present"},
        "connections": connections,
        "connection": {"conn_id": "%s_single_conn" % prefix, "conn_type": "postgres", "host": "db%d" % version,
                       "login": "app", "password": secret(), "port": 5432 + version,
                       "extra": {"sslmode": "require", "secret": secret()}, "state": "present"},
        "pools": pools,
        "pool": {"name": "%s_single_pool" % prefix, "slots": 2 + version, "description": "s%d" % version,
                 "state": "present"},
    }


def only(rel, *tasks):
    """``rel`` with the objects of every other task left out (for a run with --tags ``tasks``)."""
    kept = dict(rel)
    for key in ("variables", "connections", "pools"):
        if key + "_bulk" not in tasks:
            kept[key] = []
    for key in ("variable", "connection", "pool"):
        if key + "_single" not in tasks:
            kept[key] = None
    return kept


def expected_state(rel):
    """What the database must hold after ``rel`` converged."""
    state = {"variables": {}, "connections": {}, "pools": {}}

    def present(bulk, single):
        return [item for item in rel[bulk] + [rel[single]] if item and item.get("state", "present") == "present"]

    for item in present("variables", "variable"):
        state["variables"][item["key"]] = {"value": item["value"], "description": item["description"]}
    for item in present("connections", "connection"):
        state["connections"][item["conn_id"]] = dict(
            (f, item[f]) for f in ("conn_type", "host", "login", "password", "port", "extra"))
    for item in present("pools", "pool"):
        state["pools"][item["name"]] = dict((f, item[f]) for f in ("slots", "description"))
        if "include_deferred" in item:
            state["pools"][item["name"]]["include_deferred"] = item["include_deferred"]
    return state


def assert_state(server, prefix, rel):
    found = server.read_state(prefix + "_")
    want = expected_state(rel)
    problems = []
    for kind, objects in want.items():
        extra_ids = sorted(set(found[kind]) - set(objects))
        if extra_ids:
            problems.append("%s that should not exist: %s" % (kind, extra_ids))
        for ident, fields in objects.items():
            have = found[kind].get(ident)
            if have is None:
                problems.append("%s %s is missing" % (kind, ident))
                continue
            wrong = sorted(f for f, v in fields.items() if have.get(f) != v)
            if wrong:
                problems.append("%s %s differs in %s" % (kind, ident, wrong))  # names only: values are secret
    assert not problems, "the server does not hold the declared state: " + "; ".join(problems)


def ran_ok(rc, output, what):
    assert rc == 0, "%s failed (rc=%s); output tail:\n%s" % (what, rc, tail(output))
    assert "Traceback" not in output, "%s printed a traceback:\n%s" % (what, tail(output))


def tail(output, lines=60):
    return "\n".join(output.splitlines()[-lines:])


# ----- bad input --------------------------------------------------------------------------------
# (module, options, what the error must say). Every case must fail before anything is written.
BAD_INPUTS = [
    ("airflow_variable", {}, r"one of the following is required: key, variables"),
    ("airflow_variable", {"key": "rel_bad_v", "value": "x", "state": "gone"}, r"value of state must be one of: present, absent"),
    ("airflow_variable", {"variables": [1, 2]}, r"'variables' must be"),
    ("airflow_variable", {"key": "rel_bad_v", "value": "x", "retries": -1}, r"retries must be 0 or more"),
    ("airflow_variable", {"key": "", "value": "x"}, r"a variable key must not be empty"),
    ("airflow_variable", {"key": "rel_bad_never_created"}, r"does not exist yet: set its value"),
    ("airflow_variable", {"variables": [{"key": "rel_bad_password", "value": "@SECRET@"}, {"key": "rel_bad_password", "value": "@SECRET@"}]},
     r"declared more than once"),
    ("airflow_variable", {"variables": [{"key": "rel_bad_secret", "value": "@SECRET@"}, {"key": "", "value": "x"}]},
     r"a variable key must not be empty"),
    ("airflow_variable", {"key": "rel_bad_v", "value": "x", "airflow_url": "ftp://127.0.0.1"},
     r"airflow_url must be an http:// or https:// URL"),
    ("airflow_connection", {"conn_id": "rel_bad_c", "conn_type": "http", "extra": '{"password": "@SECRET@", '},
     r"extra of connection 'rel_bad_c' is not valid JSON"),
    ("airflow_connection", {"conn_id": "bad id!", "conn_type": "http", "password": "@SECRET@"},
     r"connection id 'bad id!' is not accepted by Airflow"),
    ("airflow_connection", {"conn_id": "rel_bad_c", "conn_type": "http", "port": 70000, "password": "@SECRET@"},
     r"port of connection 'rel_bad_c' must be between 1 and 65535"),
    ("airflow_connection", {"conn_id": "rel_bad_never_created", "host": "h", "password": "@SECRET@"},
     r"does not exist yet: set conn_type"),
    ("airflow_connection", {"conn_id": "rel_bad_c", "conn_type": "http", "update_password": "sometimes"},
     r"value of update_password must be one of"),
    ("airflow_connection", {"connections": [{"conn_id": "rel_bad_ok", "conn_type": "http", "password": "@SECRET@"},
                                            {"conn_id": "rel_bad_c2", "conn_type": "http", "extra": "{oops"}]},
     r"extra of connection 'rel_bad_c2' is not valid JSON"),
    ("airflow_pool", {"name": "rel_bad_p", "slots": -5}, r"slots of pool 'rel_bad_p' must be 0 or more, or -1"),
    ("airflow_pool", {"name": "rel_bad_p", "slots": "ten"}, r"slots.*int"),
    ("airflow_pool", {"name": "rel_bad_never_created"}, r"does not exist yet: set slots"),
    ("airflow_pool", {"name": "default_pool", "state": "absent"}, r"built into Airflow and cannot be deleted"),
    ("airflow_pool", {"pools": [{"name": "rel_bad_ok", "slots": 1}, {"name": "rel_bad_p2", "slots": -3}]},
     r"slots of pool 'rel_bad_p2' must be 0 or more"),
    ("airflow_dag", {"dag_id_pattern": "", "paused": True}, r"dag_id_pattern must not be empty"),
    ("airflow_dag_run", {"dag_id": "rel_bad_dag", "conf": '{"a": '}, r"conf.*(dict|JSON|json)"),
    ("airflow_dag_run", {"dag_id": "rel_bad_dag", "logical_date": "yesterday"}, r"logical_date"),
    ("airflow_user", {"username": "rel_bad_u", "password": "@SECRET@", "update_password": "sometimes"},
     r"value of update_password must be one of"),
    ("airflow_role", {"name": "rel_bad_r", "permissions": [{"action": "can_read"}]},
     r"missing required arguments: resource"),
    ("airflow_deploy_dag", {"state": "absent"}, r"state=absent needs dest"),]


# The cases are spread over this many hosts, which run side by side.
BAD_INPUT_HOSTS = 3


def bad_input_playbook(server, proxy, secret_values):
    """A playbook with one task per BAD_INPUTS case: each must fail with its message."""
    tasks = []
    for number, (module, options, expected) in enumerate(BAD_INPUTS):
        text = json.dumps(options)
        while "@SECRET@" in text:
            text = text.replace("@SECRET@", secret_values.new(), 1)
        args = dict(connection_vars(proxy, server), timeout=30)
        args.update(json.loads(text))
        host = "host%02d" % (number % BAD_INPUT_HOSTS + 1)
        tasks.append({"name": "Case %d: %s" % (number, module), "dagops.airflow.%s" % module: args,
                      "register": "case_%d" % number, "ignore_errors": True,
                      "when": "inventory_hostname == %r" % host})
        tasks.append({"name": "Case %d fails with a clear message" % number, "ansible.builtin.assert": {
            "that": ["case_%d is failed" % number, "case_%d.msg is search(%s)" % (number, json.dumps(expected)),
                     "'Traceback' not in case_%d.msg" % number, "'MODULE FAILURE' not in case_%d.msg" % number],
            "fail_msg": "BAD INPUT CASE %d (%s %s) did not fail as expected: {{ case_%d.msg | default('') }}"
                        % (number, module, sorted(options), number)}, "ignore_errors": True,
            "when": "inventory_hostname == %r" % host})
    # free: each host goes through its own cases without waiting for the others at every task.
    return [{"name": "Bad inputs", "hosts": "all", "gather_facts": False, "strategy": "free", "tasks": tasks}]


@both(("3.3",))
def test_bad_inputs_fail_clearly_and_write_nothing(server, proxy, runner, secret_values):
    proxy.configure()
    playbook = runner.outputs / "bad_inputs.yml"
    playbook.write_text(json.dumps(bad_input_playbook(server, proxy, secret_values), indent=1))
    rc, output = runner.run("bad-inputs-%s" % server.flavor, playbook, {}, hosts=BAD_INPUT_HOSTS,
                            forks=BAD_INPUT_HOSTS)
    ran_ok(rc, output, "the bad-input table")
    counts = proxy.counts()
    wrong = sorted(set(re.findall(r"BAD INPUT CASE [^\n]*", output)))
    assert not wrong, "\n".join(wrong)
    assert recap(output).get("ignored") == len(BAD_INPUTS), tail(output)
    assert counts["writes"] == 0, "bad input led to writes: %s" % counts["requests"]


# ----- transient faults -------------------------------------------------------------------------
@both()
def test_converges_through_transient_faults(server, proxy, runner, secret_values):
    """30% of requests fail transiently (every kind, at most 2 in a row per request): the default
    retries (3) converge, and the second run changes nothing."""
    prefix = "rel_cv"
    rel = declaration(prefix, secret_values, timeout=FAULT_TIMEOUT)
    proxy.configure(faults=TRANSIENT, rate=0.3, seed=8, max_in_row=2, delay=FAULT_DELAY)
    rc, output = runner.run("converge-%s" % server.flavor, CONVERGE, dict(connection_vars(proxy, server), rel=rel))
    counts = proxy.counts()
    ran_ok(rc, output, "the converge run through 30% faults")
    assert sum(counts["faults"].values()) >= 0.2 * counts["total"], counts  # the faults really happened
    assert_state(server, prefix, rel)
    CONVERGED[server.flavor] = (prefix, rel)
    if server.flavor != "3.3":
        return  # the no-op run differs little between the APIs: once is enough for the suite's time

    proxy.configure(faults=TRANSIENT, rate=0.3, seed=9, max_in_row=2, delay=FAULT_DELAY)
    rc, output = runner.run("converge-again-%s" % server.flavor, CONVERGE, dict(connection_vars(proxy, server), rel=rel))
    ran_ok(rc, output, "the second converge run through 30% faults")
    assert recap(output).get("changed") == 0, "the second run changed something:\n" + tail(output)
    assert proxy.counts()["writes"] == 0
    assert_state(server, prefix, rel)


@both()
def test_check_mode_writes_nothing(server, proxy, runner, secret_values):
    """Check mode against objects that all differ (updates, creates, deletes): no POST, PATCH,
    PUT or DELETE reaches the server except the token exchange and the plugin's fingerprint
    question, both counted apart."""
    prefix = CONVERGED.get(server.flavor, ("rel_ck",))[0]
    if server.flavor not in CONVERGED:  # the converge test did not run (or failed): set up here
        proxy.configure()
        rc, output = runner.run("check-setup-%s" % server.flavor, CONVERGE,
                                dict(connection_vars(proxy, server), rel=declaration(prefix, secret_values)))
        ran_ok(rc, output, "the setup run")
    before = server.read_state(prefix + "_")

    changed = declaration(prefix, secret_values, version=2)
    proxy.configure()
    rc, output = runner.run("check-mode-%s" % server.flavor, CONVERGE, dict(connection_vars(proxy, server), rel=changed),
                            check=True)
    ran_ok(rc, output, "the check-mode run")
    counts = proxy.counts()
    assert recap(output).get("changed") == 6, "check mode did not report every task changed:\n" + tail(output)
    assert counts["writes"] == 0, "check mode wrote: %s" % counts["requests"]
    assert counts["read_only_posts"] > 0, "the REST plugin was not asked (auto policy): %s" % counts["requests"]
    assert server.read_state(prefix + "_") == before


# ----- races ------------------------------------------------------------------------------------
# ----- tokens -----------------------------------------------------------------------------------
def wait_for_hold(proxy, process, seconds=120):
    deadline = time.monotonic() + seconds
    while proxy.control("held")["held"] < 1:
        assert process.poll() is None, "the run ended before its request was held"
        assert time.monotonic() < deadline, "no request was held"
        time.sleep(0.2)


def finish(process, log, what):
    try:
        rc = process.wait(300)
    except subprocess.TimeoutExpired:
        process.kill()
        rc = -1
    output = log.read_text(errors="replace")
    ran_ok(rc, output, what)
    return output


@both(("3.3",))
def test_expired_token_is_renewed_in_a_long_bulk_run(server, proxy, runner, secret_values):
    """The bulk PATCH is held at the proxy until the token fetched for this run has expired
    (expiration + leeway + margin): the client must fetch a new one and send the PATCH again."""
    prefix = "rel_tok"
    rel = only(declaration(prefix, secret_values, timeout=300), "variables_bulk")
    proxy.configure(hold={"method": "PATCH", "path": "/api/v2/variables"})
    process, log = runner.start("token-expiry-%s" % server.flavor, CONVERGE, dict(connection_vars(proxy, server), rel=rel),
                                extra=["--tags", "variables_bulk"])
    try:
        wait_for_hold(proxy, process)
        time.sleep(JWT_EXPIRATION + JWT_LEEWAY + 5)
        proxy.control("release", {})
    finally:
        output = finish(process, log, "the run whose token expired")
    counts = proxy.counts()
    assert counts["statuses"].get("401", 0) >= 1, "the held PATCH was not refused: the token did not expire %s" % counts
    assert counts["requests"].get("PATCH /api/v2/variables") == 2, counts["requests"]
    assert "Traceback" not in output
    assert_state(server, prefix, rel)


@both(("3.3",))
def test_server_down_fails_clearly(server, runner, secret_values, state_dir):
    """Nothing listens / always 503 / never answers in time (one host each, side by side): each
    task fails with a one-line message naming the cause, and no traceback."""
    from conftest import Proxy  # pylint: disable=import-outside-toplevel

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free_port = sock.getsockname()[1]
    failing = [Proxy(server.info["url"], state_dir / "proxy-down-503"),
               Proxy(server.info["url"], state_dir / "proxy-down-timeout")]
    try:
        failing[0].configure(faults=["503"], rate=1.0, max_in_row=1000)
        failing[1].configure(faults=["delay"], rate=1.0, max_in_row=1000, delay=5)
        cases = [("http://127.0.0.1:%d" % free_port, r"cannot reach Airflow \(connection refused\) after 4 attempt\(s\)"),
                 (failing[0].url, r"returned HTTP 503: faultproxy: injected HTTP 503"),
                 (failing[1].url, r"cannot reach Airflow \(timed out\) after 4 attempt\(s\)")]
        variables = {"airflow_username": server.info["username"], "airflow_password": server.info["password"],
                     "rel": {"timeout": 1, "value": secret_values.new()}}
        rc, output = runner.run("down", DOWN, variables, hosts=len(cases), forks=len(cases),
                                host_vars=[{"down_url": url} for url, _expected in cases])
    finally:
        for proxy in failing:
            proxy.stop()
    assert rc == 2, "the tasks against servers that are down did not fail (rc=%s):\n%s" % (rc, tail(output))
    assert recap(output).get("failed") == len(cases), tail(output)
    for number, (url, expected) in enumerate(cases, 1):
        found = re.search(r"fatal: \[host%02d\]: FAILED! => \{.*?\"msg\": \"([^\n]*)\"" % number, output, re.S)
        assert found and re.search(expected, found.group(1)), "no clear message for %s:\n%s" % (url, tail(output))
    assert "Traceback" not in output and "MODULE FAILURE" not in output, tail(output)


@both(("3.3",))
def test_token_invalidated_by_a_restart_is_renewed(server, proxy, runner, secret_values):
    """The bulk PATCH is held while the api-server restarts with a new JWT secret (same port):
    released, it carries a token the new server refuses; the client renews it. The new server keeps
    Airflow's default token lifetime, for the 10-fork test after this one."""
    prefix = "rel_rs"
    rel = only(declaration(prefix, secret_values, timeout=600), "variables_bulk")
    proxy.configure(hold={"method": "PATCH", "path": "/api/v2/variables"}, hold_timeout=500)
    process, log = runner.start("restart-%s" % server.flavor, CONVERGE, dict(connection_vars(proxy, server), rel=rel),
                                extra=["--tags", "variables_bulk"])
    try:
        wait_for_hold(proxy, process)
        port = server.info["port"]
        server.stop()
        server.start(RESTART_OPTIONS[server.flavor])
        assert server.info["port"] == port, "the restarted server moved to another port"
        proxy.control("release", {})
    finally:
        output = finish(process, log, "the run across a restart")
    counts = proxy.counts()
    # Airflow 3 answers a token signed with another secret 403 ("Invalid JWT token"), an expired one 401.
    refused = counts["statuses"].get("401", 0) + counts["statuses"].get("403", 0)
    assert refused >= 1, "the new server accepted the old token: %s" % counts
    assert counts["requests"].get("PATCH /api/v2/variables") == 2, counts["requests"]
    assert "Traceback" not in output
    assert_state(server, prefix, rel)


@both(("3.3",))
def test_ten_forks_apply_the_same_objects(server, proxy, runner, secret_values):
    """10 hosts apply the same variables and pools (bulk PATCH, create with overwrite) and the
    same connection (single form: GET, then POST) at once. Only on 3.3, for the suite's time:
    Airflow 2's bulk form writes one POST per object, which goes through the same 409 path as
    the single form here. After the restart test, so with Airflow's default token lifetime: ten
    writers on SQLite stall the api-server for longer than the 5-second tokens of the token tests
    last (seen in CI: 9 of 10 forks failed with 401 Token Expired)."""
    prefix = "rel_fk"
    rel = only(declaration(prefix, secret_values), "variables_bulk", "connection_single", "pools_bulk")
    proxy.configure()
    rc, output = runner.run("forks-%s" % server.flavor, CONVERGE, dict(connection_vars(proxy, server), rel=rel),
                            hosts=10, forks=10, extra=["--tags", "race"])
    ran_ok(rc, output, "10 forks")
    assert recap(output).get("failed") == 0
    print("forks on %s: %s" % (server.flavor, proxy.counts()["statuses"]))
    assert_state(server, prefix, rel)


# ----- secrets ----------------------------------------------------------------------------------
def test_no_secret_in_any_output(runner, secret_values):
    """Every secret value used above is absent from every -vvv --diff output (and the outputs
    show masked values, so the scan looked at runs that handled secrets)."""
    logs = sorted(runner.outputs.glob("*.log"))
    assert logs, "no playbook ran"
    assert secret_values.values, "no secret was used"
    text = dict((log.name, log.read_text(errors="replace")) for log in logs)
    assert any("<hidden" in body for body in text.values()), "no masked value in any output: the scan proves nothing"
    leaks = sorted(set(name for name, body in text.items() for value in secret_values.values if value in body))
    assert not leaks, "secret values appear in: %s" % leaks
    print("secret scan: %d secrets, %d outputs, %d lines" % (
        len(secret_values.values), len(logs), sum(body.count("\n") for body in text.values())))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__] + sys.argv[1:]))
