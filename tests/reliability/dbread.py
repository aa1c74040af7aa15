"""Print, as JSON, the variables, connections and pools whose names start with a prefix, read
straight from a harness server's metadata database (SQLite), secrets decrypted.

  <airflow venv>/bin/python dbread.py AIRFLOW_HOME FERNET_KEY PREFIX

The reliability tests check the end state here rather than through the API, because the API
masks or never returns secrets (connection passwords, sensitive variables) and because nothing
must go through the fault-injecting proxy. Runs in the server's venv, for ``cryptography``.
"""
import json
import sqlite3
import sys

from cryptography.fernet import Fernet


def main(home, fernet_key, prefix):
    fernet = Fernet(fernet_key.encode())

    def clear(value, encrypted):
        return fernet.decrypt(value.encode()).decode() if encrypted and value is not None else value

    db = sqlite3.connect("file:%s/airflow.db?mode=ro" % home, uri=True, timeout=30)
    like = prefix.replace("_", "\\_") + "%"
    state = {"variables": {}, "connections": {}, "pools": {}}
    for key, val, description, encrypted in db.execute(
            "SELECT key, val, description, is_encrypted FROM variable WHERE key LIKE ? ESCAPE '\\'", (like,)):
        state["variables"][key] = {"value": clear(val, encrypted), "description": description}
    for row in db.execute(
            "SELECT conn_id, conn_type, host, login, password, schema, port, extra, is_encrypted, is_extra_encrypted,"
            " description FROM connection WHERE conn_id LIKE ? ESCAPE '\\'", (like,)):
        conn_id, conn_type, host, login, password, schema, port, extra, encrypted, extra_encrypted, description = row
        extra = clear(extra, extra_encrypted)
        state["connections"][conn_id] = {
            "conn_type": conn_type, "host": host, "login": login, "password": clear(password, encrypted),
            "schema": schema, "port": port, "extra": json.loads(extra) if extra else None, "description": description}
    for name, slots, description, include_deferred in db.execute(
            "SELECT pool, slots, description, include_deferred FROM slot_pool WHERE pool LIKE ? ESCAPE '\\'", (like,)):
        state["pools"][name] = {"slots": slots, "description": description, "include_deferred": bool(include_deferred)}
    print(json.dumps(state, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:4])
