# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""The playbook_export target's data: what it seeds, and the vault file an operator would write.

  seeds.py seed SECRET          the seed (YAML): 50 variables, 20 connections, 10 pools, secrets
                                derived from SECRET (so the output scan finds any of them)
  seeds.py login SECRET CONFIG   the login of the export and site.yml runs (JSON extra vars)
  seeds.py fill SECRET TEMPLATE VAULT FILLED
                                VAULT = the export's vault template with the real value of every
                                seeded secret of an even-numbered item; the odd ones keep
                                CHANGE-ME. FILLED gets the names filled in (JSON, no value).
  seeds.py verify SECRET WORK CONFIG
                                checks the export in WORK (state.yml, vault.yml.example) against
                                the seed, and the records of the export and site.yml --check runs
"""
import json
import re
import sys

import yaml

PREFIX = "it_exp_"


def seed(secret):
    variables, connections, pools, secrets = [], [], [], {}
    for i in range(1, 51):
        if i % 10 == 0:  # sensitive by name: masked on 3.x, shown by 2.x but nulled by the info module
            key, value = "%ssecret_%02d" % (PREFIX, i), "%s-v%02d" % (secret, i)
            secrets["vault_variable_" + key] = (i, value)
        elif i == 13:  # a JSON value with a secret inside: the whole value is the secret
            key, value = "%snested_%02d" % (PREFIX, i), json.dumps({"user": "etl", "password": "%s-j13" % secret})
            secrets["vault_variable_" + key] = (i, value)
        elif i == 7:  # Ansible must hand a template back as it is, not render it
            key, value = "%svar_%02d" % (PREFIX, i), "{{ ds }}/exports/{%% if x %%}%02d{%% endif %%}" % i
        elif i == 21:
            key, value = "%svar_%02d" % (PREFIX, i), "line one\nline two: %d\n" % i
        else:
            key, value = "%svar_%02d" % (PREFIX, i), ("%d" % i if i % 4 == 0 else "value %02d" % i)
        item = {"key": key, "value": value}
        if i % 3 == 0:
            item["description"] = "variable number %d" % i
        variables.append(item)
    for i in range(1, 21):
        conn_id = "%sconn_%02d" % (PREFIX, i)
        item = {"conn_id": conn_id, "conn_type": "postgres" if i % 2 else "http",
                "host": "host%02d.example.com" % i, "port": 5000 + i}
        if i % 3 == 0:
            item.update(login="etl%02d" % i, schema="db%02d" % i, password="%s-c%02d" % (secret, i))
            secrets["vault_connection_%s_password" % conn_id] = (i, item["password"])
        if i in (4, 8):
            item["extra"] = {"password": "%s-e%02d" % (secret, i), "region": "eu-west-%d" % i}
            secrets["vault_connection_%s_extra_password" % conn_id] = (i, item["extra"]["password"])
        elif i in (10, 14):
            item["extra"] = {"token": "%s-t%02d" % (secret, i), "timeout": 30, "retry": {"count": i}}
            secrets["vault_connection_%s_extra_token" % conn_id] = (i, item["extra"]["token"])
        elif i % 5 == 1:
            item["extra"] = {"verify": False, "tags": ["a", "b"]}
        if i % 4 == 1:
            item["description"] = "connection number %d" % i
        connections.append(item)
    for i in range(1, 11):
        item = {"name": "%spool_%02d" % (PREFIX, i), "slots": i * 2, "include_deferred": bool(i % 2)}
        if i % 2:
            item["description"] = "pool number %d" % i
        pools.append(item)
    # Roles and users (seeded where the server has a user API): no API shows a user's password.
    roles = [{"name": "%srole_%02d" % (PREFIX, i), "permissions": sorted(
        [{"action": "can_read", "resource": "DAGs"}, {"action": "can_edit", "resource": "Pools"}][:i],
        key=lambda p: (p["resource"], p["action"]))} for i in (1, 2)]
    users = []
    for i in (1, 2, 3):
        username = "%suser_%02d" % (PREFIX, i)
        # The third is the admin the export and site.yml log in as (see login()).
        users.append({"username": username, "email": "%s@example.com" % username, "first_name": "User",
                      "last_name": "Number %d" % i,
                      "roles": ["Admin"] if i == 3 else sorted([roles[i - 1]["name"], "Viewer"])})
        secrets["vault_user_%s_password" % username] = (i, "%s-u%02d" % (secret, i))
    return {"seed_variables": variables, "seed_connections": connections, "seed_pools": pools,
            "seed_roles": roles, "seed_users": users,
            "seed_user_passwords": {u["username"]: secrets["vault_user_%s_password" % u["username"]][1] for u in users}
            }, secrets


def login(secret, config):
    """Extra vars for the export and site.yml runs: where the server has a user API, they log in as
    a seeded admin. The harness's admin has the password "admin", and Ansible hides a no_log
    value wherever it appears in a result, so its own username would be exported as ********."""
    if json.load(open(config, encoding="utf-8"))["airflow_auth_manager"] == "simple":
        return {}
    username = "%suser_03" % PREFIX
    return {"airflow_username": username, "airflow_password": seed(secret)[0]["seed_user_passwords"][username]}


def fill(secret, template, vault, filled_path):
    secrets = seed(secret)[1]
    lines, filled = [], []
    for line in open(template, encoding="utf-8").read().splitlines():
        name, sep, value = line.partition(": ")
        if sep and value == "CHANGE-ME" and name in secrets and secrets[name][0] % 2 == 0:
            line = "%s: %s" % (name, json.dumps(secrets[name][1]))
            filled.append(name)
        lines.append(line)
    with open(vault, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
    with open(filled_path, "w", encoding="utf-8") as out:
        json.dump({"filled": sorted(filled), "seeded_secrets": sorted(secrets)}, out)


REF = re.compile(r"^\{\{ (vault_[a-z0-9_]+) \}\}$")


class _Loader(yaml.SafeLoader):
    pass


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def _refs(value):
    """Every vault reference in ``value``."""
    if isinstance(value, str):
        return [REF.match(value).group(1)] if REF.match(value) else []
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def _record(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def _check(ok, what):
    if not ok:
        raise SystemExit("FAILED: " + what)
    print("ok: " + what)


def verify(secret, work, config):
    api = json.load(open(config, encoding="utf-8"))["airflow_api"]
    seeded, secrets = seed(secret)
    state_text = open(work + "/export/state.yml", encoding="utf-8").read()
    state = yaml.load(state_text, Loader=_Loader)
    template = yaml.load(open(work + "/export/vault.yml.example", encoding="utf-8"), Loader=_Loader) or {}
    filled = set(json.load(open(work + "/filled.json", encoding="utf-8"))["filled"])
    ref = "{{ %s }}".__mod__

    _check(set(template.values()) <= {"CHANGE-ME"}, "the vault template holds only placeholders")
    _check(sorted(set(_refs(state))) == sorted(template), "state.yml refers to exactly the template's %d names"
           % len(template))
    _check("value: !unsafe '{{ ds }}" in state_text, "a value with template markers is written !unsafe")

    mine = [v for v in state["airflow_variables"] if v["key"].startswith(PREFIX)]
    want = []
    for item in sorted(seeded["seed_variables"], key=lambda v: v["key"]):
        name = "vault_variable_" + item["key"]
        want.append(dict(item, value=ref(name)) if name in secrets else item)
    _check(mine == want, "the 50 variables, each masked one a vault reference")

    mine = [c for c in state["airflow_connections"] if c["conn_id"].startswith(PREFIX)]
    want = []
    for item in sorted(seeded["seed_connections"], key=lambda c: c["conn_id"]):
        item = dict(item)
        base = "vault_connection_" + item["conn_id"]
        if "password" in item:
            if api == "v2":
                item["password"] = ref(base + "_password")
            else:
                del item["password"]
        if "extra" in item:
            item["extra"] = {k: ref("%s_extra_%s" % (base, k)) if "%s_extra_%s" % (base, k) in secrets else v
                             for k, v in item["extra"].items()}
        want.append(item)
    _check(sorted(mine, key=json.dumps) == sorted(want, key=json.dumps),
           "the 20 connections, each password (API %s) and secret key of extra a vault reference" % api)
    if api == "v1":
        _check(all(c["conn_id"] + ".password" in state_text for c in seeded["seed_connections"]),
               "Airflow 2's passwords, never shown, are named as not exported")

    mine = [p for p in state["airflow_pools"] if p["name"].startswith(PREFIX)]
    _check(mine == seeded["seed_pools"], "the 10 pools")

    user_api = json.load(open(config, encoding="utf-8"))["airflow_auth_manager"] != "simple"
    export_record = _record(work + "/export.jsonl")
    if user_api:
        _check(not [r for r in state["airflow_roles"] if r["name"] in ("Admin", "Op", "User", "Viewer", "Public")],
               "the built-in roles are left out")
        mine = [r for r in state["airflow_roles"] if r["name"].startswith(PREFIX)]
        _check(mine == seeded["seed_roles"], "the 2 roles with their permissions")
        mine = [u for u in state["airflow_users"] if u["username"].startswith(PREFIX)]
        _check(mine == seeded["seed_users"], "the 3 users, without a password")
        _check(state["airflow_user_passwords"] == {u["username"]: ref("vault_user_%s_password" % u["username"])
                                                   for u in state["airflow_users"]},
               "every user's password a vault_user_<name>_password reference (%d users)" % len(state["airflow_users"]))
    else:
        _check(not {"airflow_roles", "airflow_users", "airflow_user_passwords"} & set(state),
               "no roles or users where the server has no user API")
        notes = [e for e in export_record if e["task"].startswith("Say why roles and users") and e["status"] == "ok"]
        _check(len(notes) == 1 and "has no API for them" in notes[0]["msg"], "the export says why it skips them")

    said = [e["msg"] for e in export_record if e["task"].startswith("Say what was exported")]
    _check(len(said) == 1 and all(name in said[0] for name in template), "the export names every secret to fill in")

    site = _record(work + "/site.jsonl")
    unfilled = sorted(set(template) - filled)
    _check(bool(filled) and bool(unfilled) and filled <= set(secrets),
           "%d seeded secrets filled in, %d names left CHANGE-ME" % (len(filled), len(unfilled)))
    named = [e["msg"] for e in site if e["task"].startswith("Name the secrets") and e["status"] == "ok"]
    expected = "Secrets without a real value: %s still hold CHANGE-ME." % ", ".join(unfilled)
    _check(len(named) == 1 and named[0].startswith(expected),
           "site.yml --check names exactly the unfilled secrets")
    by_task = {e["task"]: e for e in site}
    owners = {"Variables": set(), "Connections": set()}
    for item in state["airflow_variables"]:
        if set(_refs(item)) - filled:
            owners["Variables"].add(item["key"])
    for item in state["airflow_connections"]:
        if set(_refs(item)) - filled:
            owners["Connections"].add(item["conn_id"])
    for task, ids in owners.items():
        result = by_task[task]
        _check(result["changes"] == {"created": [], "updated": sorted(ids), "deleted": []},
               "%s: only the %d items with an unfilled secret would change" % (task, len(ids)))
    if user_api:
        _check(not by_task["Roles"]["changed"] and all(not i["changed"] for i in by_task["Roles"]["items"]),
               "Roles: none would change (%d roles)" % len(by_task["Roles"]["items"]))
        unfilled_users = set(u["username"] for u in state["airflow_users"]
                             if "vault_user_%s_password" % u["username"] not in filled)
        users = by_task["Users"]["items"]
        # A password is compared through the REST plugin (update_password auto); without the plugin
        # it is not sent to an existing user, and nothing would change.
        wrong = [i for i in users if i["changed"] != (i["changes"]["updated"] != [] and
                                                      i["changes"]["updated"][0] in unfilled_users
                                                      and i["secrets_policy"] == "compare")
                 or i["changes"]["created"] or i["changes"]["deleted"]]
        would = sorted(i["changes"]["updated"][0] for i in users if i["changed"])
        _check(not wrong and len(users) == len(state["airflow_users"]),
               "Users: only those with an unfilled password would change: %s of %d (%s)"
               % (would, len(users), sorted(set(i["secrets_policy"] for i in users))))
        if would:
            owners["Users"] = set(would)
    changed = sorted(e["task"] for e in site if e["changed"])
    _check(changed == sorted(t for t, ids in owners.items() if ids), "no other task would change: %s" % changed)


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        # JSON is YAML; a value with template markers gets YAML's !unsafe tag, or the seeding play
        # would render it.
        text = json.dumps(seed(sys.argv[2])[0], indent=1)
        for value in {v["value"] for v in seed(sys.argv[2])[0]["seed_variables"] if "{{" in v["value"]}:
            text = text.replace(json.dumps(value), "!unsafe " + json.dumps(value))
        sys.stdout.write(text + "\n")
    elif sys.argv[1] == "login":
        sys.stdout.write(json.dumps(login(*sys.argv[2:4])) + "\n")
    elif sys.argv[1] == "fill":
        fill(*sys.argv[2:6])
    else:
        verify(*sys.argv[2:5])
