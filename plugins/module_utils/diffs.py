# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""The diff the engine returns: redacted before/after of its plans, telling kept secrets from sent ones."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.masking import HIDDEN, HIDDEN_CHANGED, contains_masked


def diff_pair(resource, plan):
    """Redacted before/after of one plan; a changed secret shows as HIDDEN_CHANGED."""
    before = resource.redact(plan.before) if plan.before else None
    after = resource.redact(plan.after) if plan.after else None
    if before and after:
        for field in plan.fields:
            if field in plan.same_secrets:
                continue    # resent, but equal to what is stored
            if after.get(field) == HIDDEN and (field in plan.secret or before.get(field) == HIDDEN):
                after[field] = HIDDEN_CHANGED
            elif isinstance(after.get(field), (dict, list)):
                after[field] = mark_sent_secrets(after[field], plan.after.get(field))
    return before, after


def diff_many(resource, plans):
    """before/after keyed by object id, for the plans that write something."""
    before, after = {}, {}
    for plan in plans:
        b, a = diff_pair(resource, plan)
        if b is not None:
            before[plan.ident] = b
        if a is not None:
            after[plan.ident] = a
    return dict(before=before, after=after)


def mark_sent_secrets(shown, written):
    """In a written structured field, a hidden part is HIDDEN_CHANGED where its real value is
    sent, and stays HIDDEN where ``***`` is sent (the server keeps what it has)."""
    if shown == HIDDEN:
        return HIDDEN if contains_masked(written) else HIDDEN_CHANGED
    if isinstance(shown, dict) and isinstance(written, dict):
        return dict((k, mark_sent_secrets(v, written.get(k))) for k, v in shown.items())
    if isinstance(shown, list) and isinstance(written, list) and len(shown) == len(written):
        return [mark_sent_secrets(v, w) for v, w in zip(shown, written)]
    return shown
