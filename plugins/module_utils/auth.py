# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""How the client proves who it is: one small class per method, chosen once when it connects.

Each method hands out ``Credentials`` for one request (headers and a Basic pair) and says
whether a refused request is worth sending again with new ones. A request keeps the
credentials it was sent with, so that when several threads see the same token refused,
only the first fetches a new one and the others send again with it.
"""

from __future__ import annotations

import threading


class Credentials:
    """What one request carries: here nothing (anonymous)."""

    token = None

    def headers(self):
        return {}

    def basic(self):
        return None


class BasicPair(Credentials):
    def __init__(self, username, password):
        self.username = username
        self.password = password or ""

    def basic(self):
        return (self.username, self.password)


class Bearer(Credentials):
    def __init__(self, token):
        self.token = token

    def headers(self):
        return {"Authorization": "Bearer %s" % self.token}


NO_CREDENTIALS = Credentials()


def is_stale_token(response):
    """Whether the server refused the request's token rather than the user's permission.

    Airflow 3 answers an expired token 401, and one signed with another secret (an api-server
    restarted without a fixed [api_auth] jwt_secret) 403 "Invalid JWT token".
    """
    if response.status_code == 401:
        return True
    if response.status_code == 403:
        text = (response.text or "").lower()
        return "jwt" in text or "token" in text
    return False


class Anonymous:
    """No credentials: no airflow_username and no airflow_token."""

    def credentials(self):
        return NO_CREDENTIALS

    def renew(self, refused):
        """Whether a request refused with ``refused`` is worth sending again (with ``credentials()``)."""
        return False

    def refused_hint(self, response):
        """What to fix when ``response`` refused these credentials, or None for the usual hint."""
        return None


class BasicAuth(Anonymous):
    """Airflow 2: the user and password with every request.

    Airflow 2 checks a PBKDF2 hash on every Basic request (~0.1 s), and no session can skip
    it: its webserver never saves a session for /api/v1 requests (SessionExemptMixin), so the
    only cookie a client gets (from a UI page such as the v2 version probe's 404) is anonymous.
    """

    def __init__(self, username, password):
        self._pair = BasicPair(username, password)

    def credentials(self):
        return self._pair


class GivenToken(Anonymous):
    """airflow_token: sent as it is and never renewed (the module cannot get another)."""

    def __init__(self, token):
        self._bearer = Bearer(token)

    def credentials(self):
        return self._bearer

    def refused_hint(self, response):
        if is_stale_token(response):
            return "airflow_token was refused (expired or not valid for this server)"
        return None


class JwtAuth(Anonymous):
    """Airflow 3: a JWT fetched from /auth/token with the user and password on first use, and
    fetched again when the server refuses it. Threads share the token; a lock makes each fetch
    single-flight, so a token that expires under four writers is fetched again once, not four times.
    """

    def __init__(self, username, password, fetch):
        self._username = username
        self._password = password
        self._fetch = fetch          # (username, password) -> token; raises AirflowError
        self._lock = threading.Lock()
        self._token = None
        self.fetches = 0

    def credentials(self):
        with self._lock:
            if self._token is None:
                self._token = self._fetch_locked()
            return Bearer(self._token)

    def renew(self, refused):
        with self._lock:
            if self._token == refused.token:
                # Nobody has replaced the refused token yet: this thread does, the others wait here.
                self._token = self._fetch_locked()
            return True

    def _fetch_locked(self):
        self.fetches += 1
        return self._fetch(self._username, self._password)


def choose(api, username=None, password=None, token=None, fetch_jwt=None):
    """The method for a server whose dialect is ``api``: a given token wins, then the user's
    password as the API takes it (``api.auth``: "basic" or "jwt")."""
    if token is not None:
        return GivenToken(token)
    if username is None:
        return Anonymous()
    if api.auth == "jwt":
        return JwtAuth(username, password or "", fetch_jwt)
    return BasicAuth(username, password)
