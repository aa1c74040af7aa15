# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""One requests Session per thread, all configured alike.

The engine reads and writes on several threads (reconcile.WRITE_CONCURRENCY), and requests
does not promise that a Session is safe to share between threads (psf/requests#2766, #1871):
its cookie jar and connection pool are changed by every call. A Session per thread shares
nothing; it costs each worker thread one connection of its own, which it keeps for its calls.
"""

from __future__ import annotations

import threading

try:
    import requests
except ImportError:  # pragma: no cover - reported by AirflowModule through missing_required_lib
    pass


class SessionPerThread:
    def __init__(self, headers, verify=True, cert=None):
        self.headers = dict(headers)
        self.verify = verify
        self.cert = cert
        self._local = threading.local()

    def get(self):
        """The calling thread's Session, made on its first call."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = self.new()
        return session

    def new(self):
        session = requests.Session()
        session.headers.update(self.headers)
        session.verify = self.verify
        if self.cert:
            session.cert = self.cert
        return session
