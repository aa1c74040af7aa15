"""Who may call the legacy layers: the old REST API plugin's contract (/admin/rest_api/api,
/rest_api/api) and the experimental API (/api/experimental/). Framework-free; the adapters
(legacy_auth_flask.authenticate on Airflow 2, legacy_auth_fastapi.authenticate on Airflow 3) feed it
the request's headers and Airflow's own answer about the caller.

The order, for every legacy call:
1. `[rest_api_plugin] legacy_api = False` turns both layers off: 404.
2. When `rest_api_plugin_expected_http_token` is set, the header named by
   `rest_api_plugin_http_token_header_name` must carry it, else 403 "Token Authentication Failed"
   (the old plugin's answer).
3. With `legacy_token_only = True` (the old plugin's set-up with web authentication off) the token
   alone is enough, and it must then be configured; otherwise the caller must also be an Airflow
   admin (Basic auth or the session on 2.11; a JWT or Basic auth on 3.x).
"""
import hmac
from collections import namedtuple

from dagops_rest_api.errors import ApiError
from dagops_rest_api.shared_secret import header_spellings

TOKEN_FAILED = "Token Authentication Failed"

# name: the Airflow user name, or "" for a token-only caller; how: "token", "basic", "jwt", "session".
Caller = namedtuple("Caller", "name how")


class LegacyAuthError(Exception):
    """A refusal of a legacy call: HTTP status and the message each layer puts in its own answer
    (the old plugin's envelope `output`, the experimental API's `error`)."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def presented_token(settings, get_header):
    """The token header's value under the configured name or its hyphenated spelling (gunicorn
    drops header names with underscores unless told otherwise), or None."""
    return next((value for value in map(get_header, header_spellings(settings.token_header)) if value), None)


def check_enabled(settings):
    if not settings.legacy_api:
        raise LegacyAuthError(404, "the legacy APIs are turned off on this server "
                                   "([rest_api_plugin] legacy_api = False)")


def token_gate(settings, get_header):
    """Steps 1-3 up to Airflow's own check: a Caller when the token alone admits the request
    (token-only mode), None when the caller must still prove to be an Airflow admin."""
    check_enabled(settings)
    expected = settings.expected_token
    if expected:
        presented = presented_token(settings, get_header)
        if not presented or not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
            raise LegacyAuthError(403, TOKEN_FAILED)
    if settings.legacy_token_only:
        if not expected:
            raise LegacyAuthError(403, "[rest_api_plugin] legacy_token_only = True needs "
                                       "rest_api_plugin_expected_http_token to be set; no call is accepted "
                                       "without it")
        return Caller("", "token")
    return None


def airflow_refusal(error):
    """Airflow's own refusal (ApiError 401/403 from the auth adapters) as a LegacyAuthError."""
    if isinstance(error, ApiError):
        return LegacyAuthError(error.status, error.detail)
    return LegacyAuthError(401, str(error))


def authenticate(settings, get_header, airflow_admin):
    """The caller of a legacy request, or LegacyAuthError. `get_header(name)` reads a request header;
    `airflow_admin()` answers the Airflow admin's Caller or raises ApiError (401: who are you,
    403: not an admin). For synchronous frameworks; the FastAPI adapter runs the same steps with
    an awaited admin check."""
    caller = token_gate(settings, get_header)
    if caller is not None:
        return caller
    try:
        return airflow_admin()
    except ApiError as error:
        raise airflow_refusal(error) from None
