import hashlib
import hmac

import pytest

from dagops_rest_api.errors import ApiError
from dagops_rest_api.fingerprint import (canonical_json, fingerprint_items, hmac_hex, parse_request,
                                         text_fingerprints, value_fingerprints)

SALT = "0123456789abcdef-salt"


def reference(message, salt=SALT):
    return hmac.new(salt.encode(), message.encode(), hashlib.sha256).hexdigest()


def test_hmac_is_rfc_4231_hmac_sha256():
    # RFC 4231 test case 2
    assert hmac_hex("Jefe", "what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")


def test_canonical_json_sorts_keys_drops_spaces_keeps_unicode():
    assert canonical_json({"b": [1, 2], "a": "é", "c": {"z": None, "y": True}}) == (
        '{"a":"é","b":[1,2],"c":{"y":true,"z":null}}')


def test_a_variable_that_is_not_json():
    expected = {"exists": True, "fingerprint": reference("plain"), "json_fingerprint": None}
    assert text_fingerprints(SALT, "plain") == expected


def test_a_json_variable_gets_both_fingerprints():
    result = text_fingerprints(SALT, '{"b": 1, "a": [true]}')
    assert result["fingerprint"] == reference('{"b": 1, "a": [true]}')
    assert result["json_fingerprint"] == reference('{"a":[true],"b":1}')


def test_values_string_and_not_string():
    assert value_fingerprints(SALT, "pw") == {"exists": True, "fingerprint": reference("pw"),
                                              "json_fingerprint": reference('"pw"')}
    assert value_fingerprints(SALT, 5) == {"exists": True, "fingerprint": None, "json_fingerprint": reference("5")}
    assert value_fingerprints(SALT, None) == {"exists": False, "fingerprint": None, "json_fingerprint": None}
    assert text_fingerprints(SALT, None)["exists"] is False


def test_another_salt_gives_another_fingerprint():
    assert value_fingerprints(SALT, "pw") != value_fingerprints(SALT + "x", "pw")


@pytest.mark.parametrize("body, reason", [
    (None, "JSON object"),
    ({"salt": "short", "items": []}, "at least 16"),
    ({"salt": 1234567890123456789, "items": []}, "at least 16"),
    ({"salt": SALT, "items": {}}, "must be a list"),
    ({"salt": SALT, "items": [{"kind": "variable", "key": "k"}] * 1001}, "at most 1000"),
    ({"salt": SALT, "items": ["variable"]}, "must be an object"),
    ({"salt": SALT, "items": [{"kind": "secret"}]}, "kind must be one of"),
    ({"salt": SALT, "items": [{"kind": "variable"}]}, "needs the string field key"),
    ({"salt": SALT, "items": [{"kind": "connection_extra", "conn_id": "c"}]}, "extra_key"),
    ({"salt": SALT, "items": [{"kind": "user_password", "username": "u"}]}, "candidate"),
    ({"salt": SALT, "items": [{"kind": "connection_password", "conn_id": ""}]}, "conn_id"),
])
def test_malformed_requests_are_422(body, reason):
    with pytest.raises(ApiError) as refused:
        parse_request(body)
    assert refused.value.status == 422
    assert reason in refused.value.detail


def test_an_empty_candidate_password_is_a_valid_question():
    salt, items = parse_request({"salt": SALT, "items": [{"kind": "user_password", "username": "u", "candidate": ""}]})
    assert salt == SALT and len(items) == 1


class FakeStore:
    def variable_text(self, key):
        return {"v": '"quoted"'}.get(key)

    def connection_password(self, conn_id):
        return {"c": "pw"}.get(conn_id)

    def connection_extra_value(self, conn_id, extra_key):
        return {("c", "token"): "t", ("c", "n"): 3}.get((conn_id, extra_key))

    def check_user_password(self, username, candidate):
        return {"exists": username == "u", "matches": username == "u" and candidate == "ok"}


def test_items_are_answered_in_order():
    answer = fingerprint_items(SALT, [
        {"kind": "variable", "key": "v"},
        {"kind": "variable", "key": "missing"},
        {"kind": "connection_password", "conn_id": "c"},
        {"kind": "connection_extra", "conn_id": "c", "extra_key": "token"},
        {"kind": "connection_extra", "conn_id": "c", "extra_key": "n"},
        {"kind": "user_password", "username": "u", "candidate": "ok"},
    ], FakeStore())
    results = answer["results"]
    assert answer["algorithm"] == "hmac-sha256"
    assert results[0] == {"exists": True, "fingerprint": reference('"quoted"'), "json_fingerprint": reference('"quoted"')}
    assert results[1]["exists"] is False
    assert results[2]["fingerprint"] == reference("pw")
    assert results[3]["fingerprint"] == reference("t")
    assert results[4] == {"exists": True, "fingerprint": None, "json_fingerprint": reference("3")}
    assert results[5] == {"exists": True, "matches": True}
