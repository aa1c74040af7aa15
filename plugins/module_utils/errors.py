# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""How a failed call is told: one line with the method, the URL without credentials, the status,
the server's own words and what to fix; how to read an answer's JSON (and tell it from a UI
page); and why a request got no answer."""

from __future__ import annotations

import json
from urllib.parse import urlsplit, urlunsplit

try:
    import requests
    import urllib3
except ImportError:  # pragma: no cover - reported by AirflowModule through missing_required_lib
    pass

HINTS = {
    400: "the server refused the request body; check the option values",
    401: "check airflow_username/airflow_password or airflow_token",
    403: "the Airflow user lacks the permission for this call",
    404: "check airflow_url (including any path prefix) and the object's id",
    405: "this Airflow version does not support the call",
    409: "the object already exists or is in use",
    422: "the server refused the request body; check the option values",
}


class AirflowError(Exception):
    """A failed call, described in one line that says what to fix.

    Carries the method, the URL (never with credentials), the HTTP status (None when no
    answer came) and the server's own message.
    """

    def __init__(self, message, method=None, url=None, status=None, server_message=None, hint=None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.status = status
        self.server_message = server_message
        self.hint = hint

    def __str__(self):
        where = " ".join(part for part in (self.method, self.url) if part)
        text = self.message
        if where:
            text = "%s %s: %s" % (where, "failed" if self.status is None else "returned HTTP %s" % self.status, text)
        if self.hint:
            text = "%s (%s)" % (text, self.hint)
        return text

    def to_result(self):
        return dict(status=self.status, method=self.method, url=self.url, server_message=self.server_message)


def strip_credentials(url):
    """The URL without any user:password@ part, safe to print."""
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = "[%s]" % host
    if parts.port:
        host = "%s:%s" % (host, parts.port)
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def server_message(response):
    """The server's own words from an error body (v1 RFC 7807, v2 FastAPI), on one line."""
    try:
        body = response.json()
    except ValueError:
        text = (response.text or "").strip().replace("\n", " ")
        return text[:300] or (response.reason or "")
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, list):  # FastAPI validation errors
            parts = []
            for item in detail:
                if isinstance(item, dict):
                    loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                    parts.append("%s: %s" % (loc, item.get("msg")) if loc else str(item.get("msg")))
                else:
                    parts.append(str(item))
            return "; ".join(parts)
        if isinstance(detail, dict):
            return json.dumps(detail, sort_keys=True)
        title = body.get("title")
        if title and detail and detail != title:
            return "%s: %s" % (title, detail)
        return str(detail or title or body)
    return str(body)[:300]


def is_json(response):
    try:
        response.json()
    except ValueError:
        return False
    return True


def json_object_with(response, key):
    """The JSON object a 200 answer holds, if it has ``key``; else None.

    Airflow 3's api-server answers any unknown path (a wrong prefix, a missing plugin or
    provider) with its UI page and HTTP 200, so a status alone proves nothing.
    """
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) and key in body else None


class ConfirmedResponse:
    """Stands for the lost answer of a write that a confirm() check found applied."""

    status_code = 200

    def __init__(self, obj):
        self.obj = obj

    def json(self):
        return self.obj


def json_body(response):
    """The JSON an answer holds ({} for none); fails saying so when it is not JSON."""
    if isinstance(response, ConfirmedResponse):
        return response.obj
    if response.status_code == 204 or not response.content:
        return {}
    try:
        return response.json()
    except ValueError:
        raise AirflowError("the server answered with something that is not JSON: %r" % response.text[:80],
                           response.request.method, strip_credentials(response.url), status=response.status_code)


def request_was_sent(exc):
    """False only when the connection never opened, so the server cannot have seen the request."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3 MaxRetryError wraps the real cause
    # NewConnectionError covers urllib3 1.26 and 2.x (whose NameResolutionError is one); naming the 2.x-only
    # class would break the module on hosts with urllib3 1.26.
    return not isinstance(reason, urllib3.exceptions.NewConnectionError)


def short_reason(exc):
    """Why a request got no answer, in a few words: timed out, connection refused, host name not found."""
    if isinstance(exc, requests.exceptions.Timeout):
        return "timed out"
    reason = exc.args[0] if exc.args else exc
    reason = getattr(reason, "reason", reason)
    text = str(reason)
    if "Connection refused" in text:
        return "connection refused"
    if "Name or service not known" in text or "NameResolutionError" in type(reason).__name__:
        return "host name not found"
    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS error: %s" % text[:200]
    return text[:200]
