"""Fake HTTP for the client's pure logic: answers scripted per call, records every request."""

from __future__ import annotations

import json
from types import SimpleNamespace


class FakeResponse:
    def __init__(self, status, body=None, headers=None, text=None):
        self.status_code = status
        self._body = body
        self.headers = headers or {}
        self.reason = ""
        if text is not None:
            self.text = text
        else:
            self.text = "" if body is None else json.dumps(body)
        self.content = self.text.encode()
        self.url = None
        self.request = SimpleNamespace(method=None)

    def json(self):
        if self._body is None:
            raise ValueError("no JSON")
        return self._body


class FakeSession:
    """Stands in for requests.Session.request. ``answers`` maps (METHOD, path) to a list of
    responses or exceptions, consumed in order; the last one repeats."""

    def __init__(self, base, answers):
        self.base = base
        self.answers = dict((k, list(v)) for k, v in answers.items())
        self.calls = []

    def request(self, method, url, params=None, json=None, data=None, headers=None, auth=None, timeout=None):
        path = url[len(self.base) + 1:]
        self.calls.append(SimpleNamespace(method=method, path=path, url=url, params=params, json=json, data=data,
                                          headers=headers or {}, auth=auth))
        queue = self.answers.get((method, path))
        if not queue:
            raise AssertionError("unexpected call %s %s" % (method, path))
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, BaseException):
            raise answer
        answer.url = url
        answer.request = SimpleNamespace(method=method)
        return answer

    def paths(self, method=None):
        return [c.path for c in self.calls if method is None or c.method == method]
