"""A client that serves only what a test gives it, for Resources bound the way the engine binds them."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for


class OfflineClient:
    """Knows its API dialect and answers single GETs from ``objects`` (path -> object), recording them."""

    def __init__(self, version="v2", objects=None):
        self.api = dialect_for(version)
        self.objects = dict(objects or {})
        self.read = []

    def connect(self):
        return self.api

    def get_or_none(self, path):
        self.read.append(path)
        return self.objects.get(path)


def bound(resource, version="v2", objects=None):
    """``resource`` bound to an OfflineClient, as Reconciler binds it to the real one."""
    resource.bind(OfflineClient(version, objects))
    return resource
