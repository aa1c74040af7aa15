# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""The body of Airflow 3's bulk PATCH on a collection, built from plans, and the errors in its answer.

Pure functions: no client, no server; the engine sends what they build.
"""

from __future__ import annotations

# Entities per bulk action: large enough for one request per thousand objects, small
# enough that one answer stays readable and a proxy's body limit is not hit.
BULK_CHUNK = 1000


def bulk_actions(resource, plans, chunk=BULK_CHUNK):
    """The ``actions`` of one bulk request that carries out ``plans``: creates, then updates
    grouped by their update mask (in a stable order), then deletes, each in chunks."""
    actions = []
    creates = [resource.to_body(p.after, p.fields) for p in plans if p.action == "create"]
    # overwrite: an object created by someone else since we read still ends as declared.
    actions.extend(dict(action="create", entities=part, action_on_existence="overwrite")
                   for part in _chunks(creates, chunk))
    by_mask = {}
    for p in plans:
        if p.action == "update":
            by_mask.setdefault(tuple(p.fields), []).append(resource.to_body(p.after, p.fields))
    for mask, entities in sorted(by_mask.items()):
        actions.extend(dict(action="update", entities=part, update_mask=list(mask), action_on_non_existence="fail")
                       for part in _chunks(entities, chunk))
    deletes = [p.ident for p in plans if p.action == "delete"]
    actions.extend(dict(action="delete", entities=part, action_on_non_existence="skip")
                   for part in _chunks(deletes, chunk))
    return actions


def bulk_and_single(plans, masked_updates):
    """(plans for the bulk PATCH, plans to write one by one): where the bulk update action takes
    no update mask (``api.bulk_update_masks``), updates leave the bulk request."""
    if masked_updates:
        return list(plans), []
    return [p for p in plans if p.action != "update"], [p for p in plans if p.action == "update"]


def bulk_errors(answer):
    """The per-entity errors in a bulk answer (Airflow answers 200 even when entities fail),
    as "action: error" lines."""
    errors = []
    for name in ("create", "update", "delete"):
        for error in ((answer or {}).get(name) or {}).get("errors") or []:
            errors.append("%s: %s" % (name, error.get("error", error) if isinstance(error, dict) else error))
    return errors


def _chunks(entities, size):
    for start in range(0, len(entities), size):
        yield entities[start:start + size]
