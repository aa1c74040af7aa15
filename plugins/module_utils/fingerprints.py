# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Whether masked secrets differ from declared values, through the REST plugin's fingerprints.

The plugin (docs/rest_api_plugin.md, ``POST rest_api/v1/secrets/fingerprint``) answers an
HMAC-SHA256 of each stored secret under a salt we send, or for a user's password whether a
candidate matches its hash. We compute the same HMAC of the declared value here: equal HMACs
mean equal values, and neither the stored secret nor the declared one ever travels back.
A new random salt per run keeps one run's fingerprints useless for guessing in another.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.rest_plugin import PLUGIN_PREFIX

CAPABILITY = "fingerprint"
FINGERPRINT_PATH = PLUGIN_PREFIX + "v1/secrets/fingerprint"
MAX_ITEMS = 1000    # the plugin refuses larger requests (422)


class Probe:
    """One question to the plugin (``item``) and the declared value its answer is checked against."""

    def __init__(self, item, declared):
        self.item = item
        self.declared = declared

    def request_item(self):
        if self.item["kind"] == "user_password":
            # A password hash can only be checked against a candidate: send the declared one.
            return dict(self.item, candidate=self.declared)
        return dict(self.item)


def variable_probe(key, declared):
    return Probe({"kind": "variable", "key": key}, declared)


def connection_password_probe(conn_id, declared):
    return Probe({"kind": "connection_password", "conn_id": conn_id}, declared)


def connection_extra_probe(conn_id, extra_key, declared):
    return Probe({"kind": "connection_extra", "conn_id": conn_id, "extra_key": extra_key}, declared)


def user_password_probe(username, declared):
    return Probe({"kind": "user_password", "username": username}, declared)


def canonical_json(value):
    """The contract's canonical JSON: what the plugin hashes as ``json_fingerprint``."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hmac_hex(salt, text):
    return hmac.new(salt.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).hexdigest()


def new_salt():
    return secrets.token_hex(32)


def differs(probe, answer, salt):
    """True unless the plugin's ``answer`` proves the stored secret equals the declared value."""
    if not isinstance(answer, dict):
        raise AirflowError("the REST plugin's fingerprint answer is not an object: %s" % type(answer).__name__)
    if answer.get("error"):
        raise AirflowError("the REST plugin cannot check %s %r: %s" % (
            probe.item["kind"], probe.item.get("username"), answer["error"]))
    if probe.item["kind"] == "user_password":
        return not (answer.get("exists") and answer.get("matches"))
    if not answer.get("exists"):
        return True
    if isinstance(probe.declared, str):
        # A declared string is compared as text (a variable's stored text, a password).
        theirs, ours = answer.get("fingerprint"), hmac_hex(salt, probe.declared)
    else:
        # A declared dict, list, number or boolean is compared as JSON, whatever its spelling.
        theirs, ours = answer.get("json_fingerprint"), hmac_hex(salt, canonical_json(probe.declared))
    return not isinstance(theirs, str) or not hmac.compare_digest(theirs, ours)


def ask(client, probes, register_secret=lambda value: None):
    """For each probe, whether its stored secret differs from the declared value: one POST per
    MAX_ITEMS probes, all under one fresh salt that never leaves the module's memory but for
    that request (it is registered as a secret, so no output can show it)."""
    if not probes:
        return []
    salt = new_salt()
    register_secret(salt)
    verdicts = []
    for start in range(0, len(probes), MAX_ITEMS):
        chunk = probes[start:start + MAX_ITEMS]
        # Only a read: safe to send again when an answer is lost.
        answer = client.post(FINGERPRINT_PATH, {"salt": salt, "items": [p.request_item() for p in chunk]},
                             ok=(200,), idempotent=True)
        results = answer.get("results") if isinstance(answer, dict) else None
        if not isinstance(results, list) or len(results) != len(chunk):
            raise AirflowError("the REST plugin answered %s fingerprint results for %d items; upgrade the plugin"
                               % (len(results) if isinstance(results, list) else "no", len(chunk)),
                               "POST", client.url(FINGERPRINT_PATH))
        verdicts.extend(differs(p, r, salt) for p, r in zip(chunk, results))
    return verdicts
