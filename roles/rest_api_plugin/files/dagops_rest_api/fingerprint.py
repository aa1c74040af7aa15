"""Fingerprints of stored secrets: request checks, canonical JSON and HMAC (pure logic)."""
import hashlib
import hmac
import json

from dagops_rest_api.errors import ApiError

ALGORITHM = "hmac-sha256"
MIN_SALT_LENGTH = 16
MAX_ITEMS = 1000
REQUIRED_FIELDS = {
    "variable": ("key",),
    "connection_password": ("conn_id",),
    "connection_extra": ("conn_id", "extra_key"),
    "user_password": ("username", "candidate"),
}


def parse_request(body):
    """(salt, items) of a fingerprint request, or 422 naming what is wrong (never echoing a value)."""
    if not isinstance(body, dict):
        raise ApiError(422, "the body must be a JSON object with salt and items")
    salt, items = body.get("salt"), body.get("items")
    if not isinstance(salt, str) or len(salt) < MIN_SALT_LENGTH:
        raise ApiError(422, f"salt must be a string of at least {MIN_SALT_LENGTH} characters")
    if not isinstance(items, list):
        raise ApiError(422, "items must be a list")
    if len(items) > MAX_ITEMS:
        raise ApiError(422, f"at most {MAX_ITEMS} items per request, not {len(items)}")
    for index, item in enumerate(items):
        check_item(index, item)
    return salt, items


def check_item(index, item):
    if not isinstance(item, dict):
        raise ApiError(422, f"items[{index}] must be an object")
    kind = item.get("kind")
    if kind not in REQUIRED_FIELDS:
        raise ApiError(422, f"items[{index}].kind must be one of {', '.join(sorted(REQUIRED_FIELDS))}")
    for field in REQUIRED_FIELDS[kind]:
        if not isinstance(item.get(field), str) or (field != "candidate" and not item[field]):
            raise ApiError(422, f"items[{index}] ({kind}) needs the string field {field}")


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def hmac_hex(salt, message):
    return hmac.new(salt.encode("utf-8"), message.encode("utf-8"), hashlib.sha256).hexdigest()


def missing():
    return {"exists": False, "fingerprint": None, "json_fingerprint": None}


def value_fingerprints(salt, value):
    """The answer for a stored value (any JSON type), None meaning not set."""
    if value is None:
        return missing()
    return {"exists": True,
            "fingerprint": hmac_hex(salt, value) if isinstance(value, str) else None,
            "json_fingerprint": hmac_hex(salt, canonical_json(value))}


def text_fingerprints(salt, text):
    """The answer for a variable: its stored text, and that text parsed as JSON when it is JSON."""
    if text is None:
        return missing()
    try:
        parsed = json.loads(text)
    except ValueError:
        json_fingerprint = None
    else:
        json_fingerprint = hmac_hex(salt, canonical_json(parsed))
    return {"exists": True, "fingerprint": hmac_hex(salt, text), "json_fingerprint": json_fingerprint}


def fingerprint_items(salt, items, store):
    """One result per item; `store` reads the metadata database (see airflow_store)."""
    results = []
    for item in items:
        kind = item["kind"]
        if kind == "variable":
            results.append(text_fingerprints(salt, store.variable_text(item["key"])))
        elif kind == "connection_password":
            results.append(value_fingerprints(salt, store.connection_password(item["conn_id"])))
        elif kind == "connection_extra":
            results.append(value_fingerprints(salt, store.connection_extra_value(item["conn_id"],
                                                                                 item["extra_key"])))
        else:
            results.append(store.check_user_password(item["username"], item["candidate"]))
    return {"algorithm": ALGORITHM, "results": results}
