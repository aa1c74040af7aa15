# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""What one kind of Airflow object looks like to the reconcile engine: modules subclass Resource."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.masking import redact, secret_strings


class Resource:
    """What one kind of Airflow object looks like to the engine. Modules subclass it."""

    noun = None          # "variable": result key and messages
    collection = None    # "variables": path segment and list key
    id_field = None      # the API field that names an object
    fields = ()          # the fields the module manages
    protected = ()       # ids that are never deleted (exclusive skips them)
    bulk = True          # written with the collection's bulk PATCH where the API has one
    client = None        # set by bind(): the client, for rules that depend on the server

    def bind(self, client):
        """The engine hands over its client: the one way a resource learns about the server. A
        resource whose rules depend on it (its dialect through ``client.connect()``, its version
        through ``client.server_version()``, an object it refers to through ``client.get_or_none()``)
        asks from its methods, never takes such facts in its constructor; the client connects
        lazily and only once."""
        self.client = client

    # Where the objects live. Users and roles override these: FAB serves them, not the core API.
    def collection_path(self, api):
        return api.path(self.collection)

    def item_path(self, api, ident):
        return api.path(self.collection, ident)

    def list_key(self):
        return self.collection

    def update_mask(self, api, fields):
        return api.update_mask(self.collection, fields)

    def update_calls(self, api, ident, state, fields):
        """The PATCH requests that write ``fields`` of ``state`` to an existing object, as
        ``[(path, body, params)]``: one with an update mask, unless the API spreads the fields
        over several endpoints (Airflow 2 sets a DAG run's note apart from its state)."""
        return [(self.item_path(api, ident), self.to_body(state, fields), self.update_mask(api, fields))]

    def from_api(self, obj, desired=None):
        """The server's object in canonical form: the id and managed fields, nothing server-only."""
        return dict([(self.id_field, obj.get(self.id_field))] + [(f, obj.get(f)) for f in self.fields])

    def to_body(self, state, fields):
        """The API body that writes ``fields`` of ``state`` (a canonical object)."""
        body = {self.id_field: state[self.id_field]}
        body.update((f, state.get(f)) for f in fields)
        return body

    def secret_fields(self, ident, desired, current):
        """Fields whose values are secret for this object (hidden in output; ``always`` resends them)."""
        return set()

    def secret_strings(self, ident, desired, current, secret):
        """Every secret string in the desired and current object, kept out of all output."""
        found = []
        for state in (desired or {}, current or {}):
            for field in secret:
                found.extend(secret_strings(state.get(field), secret=True))
        return found

    def redact(self, state):
        return dict((k, redact(v)) for k, v in state.items())

    def secret_probes(self, ident, field, want, have):
        """How the REST plugin can tell whether ``field``, whose ``have`` the server masks, differs
        from ``want``: a list of ``fingerprints.Probe`` (each with the declared value it checks).
        The field differs when any probe says so. Empty (the default): it cannot be compared and
        stays unverified."""
        return []

    def cleared_value(self, field):
        """What an update writes to clear ``field`` (given as null): None, unless the API refuses it."""
        return None

    def update_value(self, ident, field, want, have, resend_secrets):
        """The value written to ``field`` of an existing object whose ``have`` differs from ``want``.

        Default: what was declared. A resource whose API keeps a stored secret where ``***`` is
        sent returns ``want`` with those parts masked unless ``resend_secrets``; it raises
        ReconcileError when the server cannot keep them.
        """
        return want

    def validate(self, ident, desired, state, current):
        """An error message for a desired state the server must never be sent, else None."""
        if state == "absent" and ident in self.protected:
            return "%s %r is built into Airflow and cannot be deleted" % (self.noun, ident)
        return None
