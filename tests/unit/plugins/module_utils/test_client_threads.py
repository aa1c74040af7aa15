"""The client under the engine's worker threads: one JWT (re)fetch at a time, a Session per thread."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowClient
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import WRITE_CONCURRENCY, Reconciler, Resource

from .fakes import FakeResponse
from .test_client import BASE, fake_transport

NAMES = ["t%d" % i for i in range(2 * WRITE_CONCURRENCY)]


class Thing(Resource):
    """Written one request per object on every API, so the engine's writes run on its threads."""

    noun = "thing"
    collection = "things"
    id_field = "name"
    fields = ("size",)
    bulk = False


class ExpiringTokenServer:
    """A thread-safe stand-in for Airflow 3 whose first token expires when the first write arrives.

    A write refused for its token waits until WRITE_CONCURRENCY writes are refused: every worker
    thread then holds the expired token at the same moment and asks for a new one together. The
    token endpoint is slow, so threads refused meanwhile find a fetch already under way.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.things = dict((name, {"name": name, "size": 1}) for name in NAMES)
        self.tokens = []            # every token handed out, in order
        self.expired = set()
        self.calls = []             # (thread, method, path, token)
        self.all_refused = threading.Barrier(WRITE_CONCURRENCY, timeout=10)

    def request(self, method, url, params=None, json=None, data=None, headers=None, auth=None, timeout=None):
        path = url[len(BASE) + 1:]
        token = (headers or {}).get("Authorization", "")[len("Bearer "):]
        with self.lock:
            self.calls.append((threading.get_ident(), method, path, token))
        if path == "api/v2/version":
            return self._answer(method, url, 200, {"version": "3.3.2"})
        if path == "auth/token":
            time.sleep(0.1)
            with self.lock:
                self.tokens.append("jwt-%d" % (len(self.tokens) + 1))
                return self._answer(method, url, 201, {"access_token": self.tokens[-1]})
        with self.lock:
            if method != "GET" and not self.expired:
                self.expired.add(self.tokens[0])    # the token expires in the middle of the writes
            refused = token not in self.tokens or token in self.expired
        if refused:
            self.all_refused.wait()
            return self._answer(method, url, 401, {"detail": "Token Expired"})
        with self.lock:
            if path == "api/v2/things":
                return self._answer(method, url, 200, {"things": list(self.things.values()),
                                                       "total_entries": len(self.things)})
            thing = self.things[path.rsplit("/", 1)[1]]
            if method == "PATCH":
                thing.update(json)
            return self._answer(method, url, 200, dict(thing))

    @staticmethod
    def _answer(method, url, status, body):
        response = FakeResponse(status, body)
        response.url = url
        response.request.method = method
        return response

    def threads(self, method):
        return set(thread for thread, m, _path, _token in self.calls if m == method)


def test_a_token_that_expires_during_a_threaded_write_is_fetched_again_once():
    server = ExpiringTokenServer()
    client = AirflowClient(BASE, username="admin", password="admin-pw", sleep=lambda seconds: None)
    fake_transport(client, server.request)
    sessions = []
    make_session = client.sessions.new
    client.sessions.new = lambda: sessions.append(make_session()) or sessions[-1]

    result = Reconciler(client, Thing()).ensure_many([(name, {"size": 2}, "present") for name in NAMES])

    assert result["updated"] == len(NAMES) and all(thing["size"] == 2 for thing in server.things.values())
    assert not server.all_refused.broken, "the writes were not refused all at once: the race was not run"
    assert server.tokens == ["jwt-1", "jwt-2"], "one new token for %d refused writes" % WRITE_CONCURRENCY
    patches = [(method, token) for _thread, method, _path, token in server.calls if method == "PATCH"]
    assert patches.count(("PATCH", "jwt-1")) == WRITE_CONCURRENCY and patches.count(("PATCH", "jwt-2")) == len(NAMES)
    assert len(server.threads("PATCH")) == WRITE_CONCURRENCY
    # Each thread that sent anything had a Session of its own, and no Session served two threads.
    assert len(sessions) == len(set(thread for thread, _m, _p, _t in server.calls))
    assert sum("sent again with a new token" in text for text in client.warnings) == WRITE_CONCURRENCY


def test_each_thread_has_its_own_session_and_keeps_it():
    client = AirflowClient(BASE)
    with ThreadPoolExecutor(max_workers=WRITE_CONCURRENCY) as pool:
        barrier = threading.Barrier(WRITE_CONCURRENCY)

        def sessions_of_one_thread(_task):
            barrier.wait()      # all threads alive at once: none can be reused for another task
            return client.session, client.session
        pairs = list(pool.map(sessions_of_one_thread, range(WRITE_CONCURRENCY)))
    assert all(first is second for first, second in pairs)
    assert len(set(id(first) for first, _second in pairs)) == WRITE_CONCURRENCY
    assert client.session is client.session and all(client.session is not first for first, _second in pairs)


def test_each_session_is_configured_alike():
    client = AirflowClient(BASE, validate_certs=True, ca_path="/etc/ca.pem", client_cert="/c.pem", client_key="/k.pem")
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(lambda: client.session).result()
    for session in (client.session, other):
        assert session.verify == "/etc/ca.pem" and session.cert == ("/c.pem", "/k.pem")
        assert session.headers["User-Agent"] == "dagops.airflow-ansible-collection"


def test_threads_that_connect_at_once_share_one_probe_and_one_token():
    server = ExpiringTokenServer()
    client = AirflowClient(BASE, username="admin", password="admin-pw", sleep=lambda seconds: None)
    fake_transport(client, server.request)
    start = threading.Barrier(WRITE_CONCURRENCY)

    def read(name):
        start.wait()
        return client.get("api/v2/things/%s" % name)["name"]
    with ThreadPoolExecutor(max_workers=WRITE_CONCURRENCY) as pool:
        assert list(pool.map(read, NAMES[:WRITE_CONCURRENCY])) == NAMES[:WRITE_CONCURRENCY]
    assert [path for _t, _m, path, _token in server.calls].count("api/v2/version") == 1
    assert server.tokens == ["jwt-1"]
