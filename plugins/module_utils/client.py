# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""The one place that talks HTTP to Airflow: API version, retries, paging, errors.

How it authenticates is auth.py's, how it finds the REST plugin rest_plugin.py's, and how a
failure reads errors.py's.
"""

from __future__ import annotations

import email.utils
import threading
import time

try:
    import requests
    import urllib3
except ImportError:  # pragma: no cover - reported by AirflowModule through missing_required_lib
    HAS_REQUESTS = False
else:
    HAS_REQUESTS = True

from urllib.parse import urlsplit

from ansible_collections.dagops.airflow.plugins.module_utils import auth as auth_methods
from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
from ansible_collections.dagops.airflow.plugins.module_utils.errors import (
    HINTS, AirflowError, ConfirmedResponse, is_json, json_body, json_object_with, request_was_sent, server_message,
    short_reason, strip_credentials,
)
from ansible_collections.dagops.airflow.plugins.module_utils.rest_plugin import PLUGIN_TOKEN_HEADER, RestPlugin
from ansible_collections.dagops.airflow.plugins.module_utils.sessions import SessionPerThread

# 500 included: Airflow answers it for transient trouble too (a locked SQLite database, a
# dropped database connection), and a replayed idempotent call is safe.
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
# A 502/504 comes from a proxy that may already have handed the request to Airflow; a 500 may
# come after Airflow committed. A POST is replayed after them only once confirm() saw it missing.
OUTCOME_UNKNOWN_STATUSES = frozenset((500, 502, 504))
# Replaying these leaves the server in the same state as sending them once.
IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"))
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 120.0
USER_AGENT = "dagops.airflow-ansible-collection"


def _retry_after_seconds(response):
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        if parsed is None:
            return None
        return max(0.0, parsed.timestamp() - time.time())


class AirflowClient:
    """Calls to one Airflow server, from any thread (a requests Session per thread).

    The API version is found on first use (``api_version='auto'``); everything that differs
    between /api/v1 and /api/v2 is asked of ``self.api`` (see api.py).
    """

    def __init__(self, url, api_version="auto", username=None, password=None, token=None,
                 validate_certs=True, ca_path=None, client_cert=None, client_key=None,
                 timeout=30, retries=3, sleep=time.sleep, backoff=0.5,
                 plugin_token=None, plugin_token_header=PLUGIN_TOKEN_HEADER):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise AirflowError("airflow_url must be an http:// or https:// URL with a host, got %r" % strip_credentials(url))
        # Credentials written into the URL are used, never printed.
        if username is None and parts.username:
            username, password = parts.username, parts.password
        self.base_url = strip_credentials(url).rstrip("/")
        self.requested_api_version = api_version
        self.username = username
        self.password = password
        self.token = token
        self.timeout = timeout
        self.retries = max(0, retries)
        self.sleep = sleep
        self.backoff = backoff
        self.api = None
        self.airflow_version = None
        # Before the API version is known only a given token can go with a request (the probe);
        # connect() then chooses the method once (auth.py).
        self.auth = auth_methods.GivenToken(token) if token is not None else auth_methods.Anonymous()
        self.sessions = SessionPerThread(
            {"User-Agent": USER_AGENT, "Accept": "application/json"},
            verify=(ca_path or True) if validate_certs else False,
            cert=((client_cert, client_key) if client_key else client_cert) if client_cert else None)
        self._connect_lock = threading.Lock()
        if not validate_certs:
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self.plugin = RestPlugin(self, plugin_token, plugin_token_header)
        # One line per request sent again (method, URL, why, attempt): a flaky network shows in
        # the module's warnings, not only as slowness.
        self.warnings = []

    # ----- API version -------------------------------------------------------------------
    @property
    def session(self):
        """The calling thread's requests Session (sessions.py)."""
        return self.sessions.get()

    def connect(self):
        """Find the API version and the authentication method (once) and return the dialect."""
        if self.api is None:
            with self._connect_lock:    # threads that come at once wait for one probe
                if self.api is None:
                    api = self._find_api()
                    self.auth = auth_methods.choose(api, self.username, self.password, self.token, self._fetch_jwt)
                    self.api = api      # last: a thread that sees the dialect sees its auth method too
        return self.api

    def _find_api(self):
        if self.requested_api_version in ("v1", "v2"):
            return dialect_for(self.requested_api_version)
        found, version = self._probe("api/v2/version")
        if found:
            api = dialect_for("v2")
        else:
            found, version = self._probe("api/v1/version", may_need_auth=True)
            if not found:
                raise AirflowError(
                    "no Airflow REST API answers at %s (neither /api/v2/version nor /api/v1/version)" % self.base_url,
                    hint="check airflow_url, including any path prefix")
            api = dialect_for("v1")
        self.airflow_version = version
        return api

    def _probe(self, path, may_need_auth=False):
        """(True, version or None) when an Airflow API answers at ``path``, else (False, None).

        Only a JSON answer with a version counts: Airflow 3 serves its UI page with HTTP 200
        for any unknown path, including one under a wrong path prefix. Airflow 3's /version is
        public, so a 401 there comes from something else; Airflow 2 may protect its /version.
        A given airflow_token goes with the probe (no other credential can yet: Basic or JWT
        depends on the answer): managed services check it in front of every path, /version too.
        """
        response = self._send_with_retries("GET", path, credentials=self.auth.credentials(), ok=(200, 401, 403, 404))
        if response.status_code in RETRY_STATUSES:
            # Still failing after the retries: that says nothing about which API is there.
            raise self._http_error("GET", path, response)
        if response.status_code in (401, 403):
            return may_need_auth, None
        body = json_object_with(response, "version")
        return (True, body["version"]) if body and body["version"] else (False, None)

    def server_version(self):
        """The Airflow version string, asking the server when the probe did not tell it."""
        api = self.connect()
        if self.airflow_version is None:
            self.airflow_version = self.get(api.path("version")).get("version")
        return self.airflow_version

    # ----- capabilities -------------------------------------------------------------------
    def has_user_api(self, collection="users"):
        """Whether this server serves FAB users and roles (Airflow 2, or Airflow 3 with the FAB auth manager).

        Only a JSON answer counts: with the simple auth manager Airflow 3 answers /auth/fab/v1/...
        with its UI page and HTTP 200. A JSON 403 means the API is there but this user may not
        list ``collection``; the call that follows then fails with the server's own words.
        """
        api = self.connect()
        response = self.request("GET", api.fab_path(collection), params={"limit": 1}, ok=(200, 403, 404))
        if response.status_code == 403:
            return is_json(response)
        return json_object_with(response, collection) is not None

    def require_user_api(self, collection="users"):
        """Fail with what to do instead when the server has no API for users and roles."""
        if not self.has_user_api(collection):
            raise AirflowError(self.api.no_user_api)

    def rest_plugin(self):
        """The REST plugin's version answer, or None (``plugin_problem`` says why); see rest_plugin.py."""
        return self.plugin.info()

    def require_rest_plugin(self, capability=None):
        """The plugin's version answer; fail with what to do when it is missing or lacks ``capability``."""
        return self.plugin.require(capability)

    @property
    def plugin_problem(self):
        return self.plugin.problem

    # ----- verbs --------------------------------------------------------------------------
    def get(self, path, params=None, ok=(200,)):
        return json_body(self.request("GET", path, params=params, ok=ok))

    def get_or_none(self, path, params=None):
        """The object at ``path``, or None when the server answers 404."""
        response = self.request("GET", path, params=params, ok=(200, 404))
        return None if response.status_code == 404 else json_body(response)

    def post(self, path, body, ok=(200, 201), confirm=None, idempotent=None):
        """``idempotent=True`` for a POST that only reads (the REST plugin's fingerprints): sent
        again when its answer is lost, like a GET."""
        return json_body(self.request("POST", path, body=body, ok=ok, confirm=confirm, idempotent=idempotent))

    def patch(self, path, body, params=None, ok=(200,)):
        return json_body(self.request("PATCH", path, body=body, params=params, ok=ok))

    def delete(self, path, ok=(200, 204, 404)):
        return self.request("DELETE", path, ok=ok).status_code

    def list_all(self, path, items_key, params=None, page_size=100):
        """Every item of a paged collection (the server caps ``limit`` at its maximum_page_limit)."""
        items = []
        offset = 0
        while True:
            query = dict(params or {}, limit=page_size, offset=offset)
            body = self.get(path, params=query)
            page = body.get(items_key) or []
            items.extend(page)
            offset += len(page)
            total = body.get("total_entries")
            if not page or (total is not None and offset >= total):
                return items

    def request(self, method, path, params=None, body=None, ok=(200,), confirm=None, auth=True, data=None,
                content_type=None, idempotent=None):
        """Send one call and return the response whose status is in ``ok``.

        ``body`` is sent as JSON; ``data`` (bytes) as it is, with ``content_type``.

        ``confirm`` is for writes that are not idempotent (POST): when the outcome of an
        attempt is unknown (connection dropped after sending, 502/504) it is called to look at
        the server; it returns the object when the write did happen, else None and the write
        is sent again. Without ``confirm`` such a write fails instead of being
        replayed blindly.
        """
        self.connect()
        credentials = self.auth.credentials() if auth else auth_methods.NO_CREDENTIALS
        send = dict(params=params, body=body, ok=ok, confirm=confirm, data=data, content_type=content_type,
                    idempotent=idempotent)
        response = self._send_with_retries(method, path, credentials=credentials, **send)
        if auth and auth_methods.is_stale_token(response) and self.auth.renew(credentials):
            # A JWT expires, and every JWT dies when the api-server restarts without a fixed
            # [api_auth] jwt_secret: fetch a new one once and send the call again.
            self._warn(method, path, "sent again with a new token: the server refused the last one (HTTP %s)"
                       % response.status_code)
            response = self._send_with_retries(method, path, credentials=self.auth.credentials(), **send)
        if response.status_code not in ok:
            raise self._http_error(method, path, response)
        return response

    def url(self, path):
        """The full URL of ``path``, as error messages name it (never with credentials)."""
        return "%s/%s" % (self.base_url, path.lstrip("/"))

    # ----- internals ----------------------------------------------------------------------
    def _printable_url(self, path, params=None):
        url = self.url(path)
        if params:
            url += "?" + requests.models.RequestEncodingMixin._encode_params(params)
        return url

    def _fetch_jwt(self, username, password):
        response = self._send_with_retries(
            "POST", "auth/token", body={"username": username, "password": password}, ok=(200, 201), idempotent=True)
        if response.status_code not in (200, 201):
            raise self._http_error("POST", "auth/token", response,
                                   hint="check airflow_username and airflow_password")
        token = json_body(response).get("access_token")
        if not token:
            raise AirflowError("the token endpoint answered without an access_token", "POST", self.url("auth/token"))
        return token

    def _warn_retry(self, method, path, why, attempt, attempts):
        self._warn(method, path, "attempt %d of %d failed (%s); trying again" % (attempt, attempts, why))

    def _warn(self, method, path, text):
        # list.append is atomic: bulk threads may add theirs side by side. The URL has no query
        # string and never credentials (base_url has them stripped).
        self.warnings.append("%s %s: %s" % (method, self.url(path), text))

    def _send_with_retries(self, method, path, params=None, body=None, ok=(200,), confirm=None,
                           credentials=auth_methods.NO_CREDENTIALS, idempotent=None, data=None, content_type=None):
        idempotent = method in IDEMPOTENT_METHODS if idempotent is None else idempotent
        url = self.url(path)
        attempt = 0
        while True:
            headers = dict(credentials.headers(), **self.plugin.headers_for(path))
            if content_type:
                headers["Content-Type"] = content_type
            outcome_unknown = False
            try:
                response = self.session.request(
                    method, url, params=params, json=body, data=data, headers=headers,
                    auth=credentials.basic(), timeout=self.timeout)
            except requests.exceptions.RequestException as exc:
                if isinstance(exc, (requests.exceptions.SSLError, requests.exceptions.InvalidURL)):
                    raise AirflowError(short_reason(exc), method, self._printable_url(path, params))
                response = None
                outcome_unknown = request_was_sent(exc)
                failure = exc
            else:
                if response.status_code not in RETRY_STATUSES or response.status_code in ok:
                    return response
                outcome_unknown = response.status_code in OUTCOME_UNKNOWN_STATUSES
                failure = None

            if outcome_unknown and not idempotent:
                if confirm is None and response is not None and response.status_code == 500:
                    return response  # not replayed blindly: the caller reports the server's own words
                if confirm is None:
                    raise AirflowError(
                        "no answer came, so whether the server applied this %s is unknown; "
                        "run again to reconcile" % method, method, self._printable_url(path, params),
                        status=None if response is None else response.status_code)
                confirmed = confirm()
                if confirmed is not None:
                    return ConfirmedResponse(confirmed)
            if attempt >= self.retries:
                if response is not None:
                    return response  # the caller turns it into an AirflowError with the server's words
                raise AirflowError(
                    "cannot reach Airflow (%s) after %d attempt(s)" % (short_reason(failure), attempt + 1),
                    method, self._printable_url(path, params),
                    hint="check airflow_url and that the Airflow web/api server is running")
            delay = min(self.backoff * (2 ** attempt), MAX_BACKOFF)
            if response is not None:
                retry_after = _retry_after_seconds(response)
                if retry_after is not None:
                    delay = min(max(delay, retry_after), MAX_RETRY_AFTER)
            self._warn_retry(method, path, short_reason(failure) if response is None else "HTTP %s" % response.status_code,
                             attempt + 1, self.retries + 1)
            self.sleep(delay)
            attempt += 1

    def _http_error(self, method, path, response, hint=None):
        status = response.status_code
        message = server_message(response)
        url = strip_credentials(response.url or self.url(path))
        if hint is None:
            hint = HINTS.get(status)
            # Airflow 3 refuses a bad or expired bearer token with 403 "Invalid JWT token", not 401.
            hint = self.auth.refused_hint(response) or hint
        return AirflowError(message or response.reason or "error", method, url, status=status,
                            server_message=message, hint=hint)
