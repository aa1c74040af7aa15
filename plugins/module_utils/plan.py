# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""What the reconcile engine decides for one object, from the desired and the current state, and the
summary of many such decisions. Pure: no client, no server."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.clearing import CLEAR, differs, is_value, written
from ansible_collections.dagops.airflow.plugins.module_utils.masking import DIFFERENT, UNVERIFIED, compare


class Plan:
    """What one object needs: create, update, delete or nothing, and why."""

    def __init__(self, ident, action, before, after, fields=(), unverified=(), secret=(), desired=None):
        self.ident = ident
        self.action = action            # "create" | "update" | "delete" | None
        self.before = before
        self.after = after
        self.fields = sorted(fields)    # fields to write on update
        self.unverified = sorted(unverified)
        self.secret = set(secret)
        self.desired = desired or {}
        self.resend = set()             # changed fields written with their declared secrets
        self.same_secrets = set()       # ... whose secrets the plugin found equal to the stored ones

    def adopt(self, other):
        """Become ``other``, a plan of the same object made from a fresher read (a create that lost
        a race to another writer): every attribute, so nothing the diff reads stays stale."""
        if other.ident != self.ident:
            raise ValueError("a plan for %r cannot adopt the plan for %r" % (self.ident, other.ident))
        self.__dict__.update(vars(other))


def compare_fields(resource, ident, desired, state, current, secret, resend_secrets=False):
    """The plan for one object: ``desired`` (None for a field the user did not set, CLEAR for one
    to empty) compared field by field with ``current`` (None: the object does not exist).
    ``secret``: its secret fields, which ``resend_secrets`` (the ``always`` policy) writes
    whatever the server shows."""
    if state == "absent":
        return Plan(ident, "delete" if current else None, current, None, secret=secret)
    if current is None:
        # Only what was declared (a cleared field too): an option left out is not shown as null.
        after = dict((f, written(desired[f])) for f in resource.fields if desired.get(f) is not None)
        after[resource.id_field] = ident
        return Plan(ident, "create", None, after, fields=[f for f in resource.fields if is_value(desired.get(f))],
                    secret=secret, desired=desired)
    changed, unverified = [], []
    for field, want in desired.items():
        if want is None or field == resource.id_field:
            continue
        if want is CLEAR:
            if differs(want, current.get(field)):
                changed.append(field)
            continue
        if field in secret and resend_secrets:
            changed.append(field)
            continue
        outcome = compare(want, current.get(field))
        if outcome == DIFFERENT:
            changed.append(field)
        elif outcome == UNVERIFIED:
            unverified.append(field)
    return Plan(ident, "update" if changed else None, current, dict(current), changed, unverified, secret,
                desired=desired)


def summarize(plans):
    """changed, the counts and the ids behind them, and the secrets that were not compared."""
    changes = dict(created=[], updated=[], deleted=[])
    for plan in plans:
        if plan.action:
            changes[{"create": "created", "update": "updated", "delete": "deleted"}[plan.action]].append(plan.ident)
    written = sum(len(ids) for ids in changes.values())
    result = dict((name, len(ids)) for name, ids in changes.items())
    result.update(changed=bool(written), unchanged=len(plans) - written, changes=changes,
                  secrets_not_verified=["%s.%s" % (p.ident, f) for p in plans for f in p.unverified])
    return result
