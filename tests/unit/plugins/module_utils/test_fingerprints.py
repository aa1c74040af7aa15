"""Fingerprint checks against answers shaped as docs/rest_api_plugin.md says, over the fake HTTP session."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils import fingerprints
from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError

from .fakes import FakeResponse
from .test_client import V2_VERSION, TOKEN, make_client

SALT = "0123456789abcdef0123"


def answer(stored):
    """What the plugin answers for a stored value (None: not set)."""
    if stored is None:
        return {"exists": False, "fingerprint": None, "json_fingerprint": None}
    text = hmac.new(SALT.encode(), stored.encode(), hashlib.sha256).hexdigest() if isinstance(stored, str) else None
    return {"exists": True, "fingerprint": text,
            "json_fingerprint": hmac.new(SALT.encode(), fingerprints.canonical_json(stored).encode(),
                                         hashlib.sha256).hexdigest()}


def test_canonical_json_is_the_contracts():
    assert fingerprints.canonical_json({"b": [1, 2], "a": "é"}) == '{"a":"é","b":[1,2]}'


def test_a_declared_string_is_compared_as_text_and_anything_else_as_json():
    probe = fingerprints.variable_probe("k", "s3cret")
    assert not fingerprints.differs(probe, answer("s3cret"), SALT)
    assert fingerprints.differs(probe, answer("other"), SALT)
    assert fingerprints.differs(probe, answer(None), SALT)
    as_json = fingerprints.variable_probe("k", {"b": 1, "a": [True]})
    assert not fingerprints.differs(as_json, answer({"a": [True], "b": 1}), SALT)
    assert fingerprints.differs(as_json, answer({"a": [False], "b": 1}), SALT)
    # Stored text that is not JSON has no json_fingerprint: a declared dict differs from it.
    assert fingerprints.differs(as_json, dict(answer("x"), json_fingerprint=None), SALT)
    # A stored value that is not a string has no text fingerprint: a declared string differs from it.
    assert fingerprints.differs(fingerprints.connection_extra_probe("c", "timeout", "5"), answer(5), SALT)
    assert not fingerprints.differs(fingerprints.connection_extra_probe("c", "timeout", 5), answer(5), SALT)


def test_a_user_password_is_a_candidate_checked_by_the_server():
    probe = fingerprints.user_password_probe("alice", "pw")
    assert probe.request_item() == {"kind": "user_password", "username": "alice", "candidate": "pw"}
    assert "candidate" not in probe.item
    assert not fingerprints.differs(probe, {"exists": True, "matches": True}, SALT)
    assert fingerprints.differs(probe, {"exists": True, "matches": False}, SALT)
    assert fingerprints.differs(probe, {"exists": False, "matches": False}, SALT)
    with pytest.raises(AirflowError, match="no FAB user store"):
        fingerprints.differs(probe, {"exists": False, "matches": False, "error": "no FAB user store"}, SALT)


def plugin_client(*answers):
    return make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "rest_api/v1/secrets/fingerprint"): list(answers),
    }, plugin_token="shared")


def test_ask_sends_one_post_with_a_fresh_salt_and_reads_the_results_in_order(monkeypatch):
    assert fingerprints.new_salt() != fingerprints.new_salt() and len(fingerprints.new_salt()) >= 16
    monkeypatch.setattr(fingerprints, "new_salt", lambda: SALT)
    client, fake, _sleeps = plugin_client(FakeResponse(200, {"algorithm": "hmac-sha256",
                                                             "results": [answer("x"), answer("other")]}))
    hidden = []
    probes = [fingerprints.variable_probe("a", "x"), fingerprints.connection_password_probe("c", "pw")]
    assert fingerprints.ask(client, probes, hidden.append) == [False, True]
    sent = [c for c in fake.calls if c.path == "rest_api/v1/secrets/fingerprint"]
    assert len(sent) == 1 and sent[0].json["salt"] == SALT and hidden == [SALT]
    assert sent[0].json["items"] == [{"kind": "variable", "key": "a"}, {"kind": "connection_password", "conn_id": "c"}]
    assert sent[0].headers["rest-api-plugin-http-token"] == "shared"


def test_a_lost_answer_is_asked_again_because_it_only_reads():
    client, fake, sleeps = plugin_client(FakeResponse(502), FakeResponse(200, {"results": [answer(None)]}))
    assert fingerprints.ask(client, [fingerprints.variable_probe("a", "x")]) == [True]
    assert len(fake.paths("POST")) == 3 and len(sleeps) == 1  # the token, then the fingerprint twice


def test_an_answer_that_does_not_match_the_request_fails():
    client, _fake, _sleeps = plugin_client(FakeResponse(200, {"results": [answer(None)]}))
    with pytest.raises(AirflowError, match="1 fingerprint results for 2 items"):
        fingerprints.ask(client, [fingerprints.variable_probe("a", "x"), fingerprints.variable_probe("b", "y")])


def test_nothing_to_ask_sends_nothing():
    client, fake, _sleeps = plugin_client()
    assert fingerprints.ask(client, []) == [] and fake.calls == []
