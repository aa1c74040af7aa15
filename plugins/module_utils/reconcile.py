# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""The one reconcile engine: get -> compare -> diff -> write, for one object or many.

A module declares a Resource (what the object looks like, which fields it manages, which are
secret) and hands the engine the desired state built from only the options the user set.
"""

from __future__ import annotations

import fnmatch
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.dagops.airflow.plugins.module_utils import fingerprints
from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.masking import (
    DIFFERENT, HIDDEN, HIDDEN_CHANGED, UNVERIFIED, compare, contains_masked, redact, secret_strings,
)

SECRETS_POLICIES = ("on_create", "always", "compare", "auto")

# Per-object writes (Airflow 2 has no bulk endpoints) run this many at a time: a server answers
# each in ~50-80 ms, mostly its own work, so a few in flight nearly halve the time even on a
# 2-worker webserver, while staying far below what would load a production server.
WRITE_CONCURRENCY = 4
# Entities per bulk action: large enough for one request per thousand objects, small
# enough that one answer stays readable and a proxy's body limit is not hit.
BULK_CHUNK = 1000
# How often a bulk write that lost a race (HTTP 409) is planned again from a fresh read.
BULK_RACE_REPLANS = 3


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
        """The engine hands over its client. A resource whose rules depend on the server (its
        dialect through ``client.connect()``, its version through ``client.server_version()``)
        asks it from validate() or update_value(); both connect lazily and only once."""
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


class ReconcileError(Exception):
    """A failure to report as it is, with any result data the task should still return
    (a failed DAG run's task states, for example)."""

    def __init__(self, message, **result):
        super().__init__(message)
        self.result = result


class Reconciler:
    """Brings one or many objects of a Resource to their desired state.

    ``secrets_policy`` decides what happens to a secret the server masks (``***``, or never
    shows) on an existing object:

    - ``on_create`` leaves it as it is and reports it unverified;
    - ``always`` sends secret fields every run;
    - ``compare`` asks the collection's REST plugin, once per run for all objects, whether each
      masked field differs from the declared value (Resource.secret_probes); a field that differs
      is written with its declared secrets, one that does not is unchanged. It fails before
      anything is written when the plugin cannot answer;
    - ``auto`` is ``compare`` where the plugin answers with the fingerprint capability, else
      ``on_create``; the plugin is asked only when a masked secret is met.
    """

    def __init__(self, client, resource, check_mode=False, secrets_policy="on_create", register_secret=None):
        if secrets_policy not in SECRETS_POLICIES:
            raise ValueError("unknown secrets policy %r" % secrets_policy)
        self.client = client
        self.resource = resource
        self.check_mode = check_mode
        self.secrets_policy = secrets_policy
        self.register_secret = register_secret or (lambda value: None)
        resource.bind(client)

    # ----- the secrets policy -------------------------------------------------------------
    def applied_policy(self):
        """The policy in force: ``auto`` reads as ``on_create`` until a masked secret made it ask the plugin."""
        return "on_create" if self.secrets_policy == "auto" else self.secrets_policy

    def _require_policy(self):
        """``compare`` cannot work without the plugin: fail before planning, so nothing is written."""
        if self.secrets_policy == "compare":
            self.client.require_rest_plugin(fingerprints.CAPABILITY)

    def _compares(self):
        if self.secrets_policy == "auto":
            info = self.client.rest_plugin()
            usable = info is not None and fingerprints.CAPABILITY in (info.get("capabilities") or ())
            self.secrets_policy = "compare" if usable else "on_create"
        return self.secrets_policy == "compare"

    # ----- planning -----------------------------------------------------------------------
    def plan(self, ident, desired, state, current):
        return self.plan_all([(ident, desired, state, current)])[0]

    def plan_all(self, wanted):
        """Plans for ``wanted`` = [(ident, desired, state, current)]: compared field by field,
        masked secrets settled with one question to the plugin (compare), then the values to write."""
        plans = [self._compare(*args) for args in wanted]
        self._settle_masked(plans)
        for plan in plans:
            if plan.action == "update":
                resend = self.secrets_policy == "always"
                plan.after = dict(plan.before)
                plan.after.update((f, self.resource.update_value(plan.ident, f, plan.desired[f], plan.before.get(f),
                                                                 resend or f in plan.resend)) for f in plan.fields)
        return plans

    def _compare(self, ident, desired, state, current):
        res = self.resource
        problem = res.validate(ident, desired, state, current)
        if problem:
            raise ReconcileError(problem)
        secret = res.secret_fields(ident, desired, current)
        for value in res.secret_strings(ident, desired, current, secret):
            self.register_secret(value)
        if state == "absent":
            return Plan(ident, "delete" if current else None, current, None, secret=secret)
        if current is None:
            # Only what was declared: an option left out is not shown (nor sent) as null.
            after = dict((f, desired[f]) for f in res.fields if desired.get(f) is not None)
            after[res.id_field] = ident
            return Plan(ident, "create", None, after, fields=[f for f in res.fields if desired.get(f) is not None],
                        secret=secret, desired=desired)
        changed, unverified = [], []
        for field, want in desired.items():
            if want is None or field == res.id_field:
                continue
            if field in secret and self.secrets_policy == "always":
                changed.append(field)
                continue
            outcome = compare(want, current.get(field))
            if outcome == DIFFERENT:
                changed.append(field)
            elif outcome == UNVERIFIED:
                unverified.append(field)
        return Plan(ident, "update" if changed else None, current, dict(current), changed, unverified, secret,
                    desired=desired)

    def _settle_masked(self, plans):
        """Under ``compare``, one question to the plugin for every masked field of ``plans``:
        an unverified field that differs becomes a change, one that does not is unchanged. A
        field that changes anyway and has masked parts is written with its declared secrets,
        which is safe once they are known (Airflow 2 cannot keep a masked part); the diff shows
        them as changed only where they differ."""
        res = self.resource
        masked = [(plan, f, False) for plan in plans for f in plan.unverified]
        masked.extend((plan, f, True) for plan in plans if plan.action == "update" for f in plan.fields
                      if self.secrets_policy != "always" and contains_masked(plan.before.get(f)))
        if not masked or not self._compares():
            return
        asked, probes = [], []
        for plan, field, changing in masked:
            found = res.secret_probes(plan.ident, field, plan.desired[field], plan.before.get(field))
            if found:
                asked.append((plan, field, changing, len(probes), len(probes) + len(found)))
                probes.extend(found)
        verdicts = fingerprints.ask(self.client, probes, self.register_secret)
        for plan, field, changing, first, last in asked:
            differ = any(verdicts[first:last])
            if changing:
                plan.resend.add(field)
                if not differ:
                    plan.same_secrets.add(field)
                continue
            plan.unverified.remove(field)
            if differ:
                plan.resend.add(field)
                plan.fields = sorted(plan.fields + [field])
                plan.action = "update"

    # ----- one object ---------------------------------------------------------------------
    def ensure_one(self, ident, desired, state="present"):
        """One object to its desired state. ``ident`` None: the server names the new object
        (a DAG run triggered without a run id), so there is nothing to look up and every call
        creates one."""
        self._require_policy()
        current = None if ident is None else self._get(ident, desired)
        plan = self.plan(ident, desired, state, current)
        final = plan.after
        if plan.action and not self.check_mode:
            final = self._write_one(plan, desired)
        before, after = self._diff_pair(plan)
        result = self._summary([plan])
        result["diff"] = dict(before=before or {}, after=after or {})
        result[self.resource.noun] = self.resource.redact(final) if final else {}
        return result

    def _get(self, ident, desired):
        api = self.client.connect()
        obj = self.client.get_or_none(self.resource.item_path(api, ident))
        return None if obj is None else self.resource.from_api(obj, desired)

    def _write_one(self, plan, desired):
        api = self.client.connect()
        res = self.resource
        item_path = res.item_path(api, plan.ident)
        if plan.action == "delete":
            self.client.delete(item_path)
            return None
        if plan.action == "create":
            body = res.to_body(plan.after, plan.fields)

            def confirm():
                # The create may have landed before the connection dropped. Only an object with
                # our values proves it; anything else is settled by the 409 path below.
                found = self.client.get_or_none(item_path)
                if found is None:
                    return None
                landed = res.from_api(found, desired)
                same = all(compare(desired[f], landed.get(f)) != DIFFERENT for f in plan.fields)
                return found if same else None
            try:
                # Without an id nothing can prove a lost create landed: the client then fails
                # instead of sending it twice.
                answer = self.client.post(res.collection_path(api), body,
                                          confirm=confirm if plan.ident is not None else None)
            except AirflowError as err:
                if err.status != 409 or plan.ident is None:
                    raise
                # Someone created it between our GET and POST: reconcile against what is there now.
                now = self._get(plan.ident, desired)
                if now is None:
                    raise  # still absent: the conflict is with another object (a unique field, a user's email)
            else:
                if plan.ident is not None and answer.get(res.id_field) is None:
                    # Some endpoints answer a create without the object (Airflow 2's role POST: {}).
                    return self._get(plan.ident, desired)
                return res.from_api(answer, desired)
            raced = self.plan(plan.ident, desired, "present", now)
            plan.action, plan.before, plan.after, plan.fields = raced.action, raced.before, raced.after, raced.fields
            plan.unverified, plan.resend = raced.unverified, raced.resend
            if not plan.action:
                return plan.before
        answer = None
        for path, body, params in res.update_calls(api, plan.ident, plan.after, plan.fields):
            answer = self.client.patch(path, body, params=params)
        return res.from_api(answer, desired)

    # ----- many objects -------------------------------------------------------------------
    def ensure_many(self, items, exclusive=False, exclude=()):
        """``items``: list of (ident, desired, state). Reads once, plans all, then writes."""
        res = self.resource
        seen = set()
        for ident, _desired, _state in items:
            if ident in seen:
                raise ReconcileError("%s %r is declared more than once" % (res.noun, ident))
            seen.add(ident)

        self._require_policy()
        desired_by_id = dict((ident, desired) for ident, desired, _state in items)
        return self._apply(self._plan_many(items, seen, exclusive, exclude), desired_by_id,
                           replan=lambda: self._plan_many(items, seen, exclusive, exclude))

    def _plan_many(self, items, seen, exclusive, exclude):
        """Read the collection and plan every declared object (and, if exclusive, every other)."""
        res = self.resource
        api = self.client.connect()
        desired_by_id = dict((ident, desired) for ident, desired, _state in items)
        listed = self.client.list_all(res.collection_path(api), res.list_key())
        if not api.lists_full_objects(res.collection):
            listed = self._read_declared(listed, seen)
        current = dict((o[res.id_field], res.from_api(o, desired_by_id.get(o[res.id_field]))) for o in listed)

        wanted = [(ident, desired, state, current.get(ident)) for ident, desired, state in items]
        if exclusive:
            for ident in sorted(set(current) - seen):
                if ident in res.protected or any(fnmatch.fnmatchcase(ident, pattern) for pattern in exclude):
                    continue
                wanted.append((ident, {}, "absent", current[ident]))
        return self.plan_all(wanted)

    def ensure_matching(self, desired, params):
        """Every object the server lists under ``params`` (its own filter, such as a DAG id
        pattern) gets ``desired``. Only the objects listed, planned and shown in the diff are
        written, never a server-side "update whatever matches"."""
        res = self.resource
        api = self.client.connect()
        self._require_policy()
        listed = self.client.list_all(res.collection_path(api), res.list_key(), params=params)
        wanted, desired_by_id = [], {}
        for obj in listed:
            ident = obj[res.id_field]
            desired_by_id[ident] = dict(desired, **{res.id_field: ident})
            wanted.append((ident, desired_by_id[ident], "present", res.from_api(obj, desired_by_id[ident])))
        plans = self.plan_all(wanted)
        result = self._apply(plans, desired_by_id)
        result["matched"] = [plan.ident for plan in plans]
        return result

    def _apply(self, plans, desired_by_id, replan=None):
        """Write what ``plans`` need. ``replan`` reads and plans again: a bulk write that lost a
        race (another writer created one of its objects between the read and the write, which
        Airflow 3 answers with HTTP 409 for the whole request, nothing written) is planned again
        from what is there now and sent again, a few times at most."""
        api = self.client.connect()
        to_write = [p for p in plans if p.action]
        if to_write and not self.check_mode:
            if api.supports_bulk and self.resource.bulk:
                for attempt in range(BULK_RACE_REPLANS + 1):
                    try:
                        self._write_bulk(to_write)
                        break
                    except AirflowError as err:
                        if err.status != 409 or replan is None or attempt == BULK_RACE_REPLANS:
                            raise
                    plans = replan()
                    to_write = [p for p in plans if p.action]
                    if not to_write:
                        break
            else:
                self._write_each(to_write, desired_by_id)
        result = self._summary(plans)
        result["diff"] = self._diff_many(to_write)
        return result

    def _read_declared(self, listed, declared):
        """The list answer with each declared object replaced by its full single GET, a few at a
        time: only declared objects are compared, the rest need no more than their id."""
        res = self.resource
        api = self.client.connect()

        def read(obj):
            if obj[res.id_field] not in declared:
                return obj
            return self.client.get_or_none(res.item_path(api, obj[res.id_field])) or obj

        with ThreadPoolExecutor(max_workers=WRITE_CONCURRENCY) as pool:
            return list(pool.map(read, listed))

    def _summary(self, plans):
        """changed, the counts and the ids behind them, and the secrets that were not compared."""
        changes = dict(created=[], updated=[], deleted=[])
        for plan in plans:
            if plan.action:
                changes[{"create": "created", "update": "updated", "delete": "deleted"}[plan.action]].append(plan.ident)
        written = sum(len(ids) for ids in changes.values())
        result = dict((name, len(ids)) for name, ids in changes.items())
        result.update(changed=bool(written), unchanged=len(plans) - written, changes=changes,
                      secrets_not_verified=["%s.%s" % (p.ident, f) for p in plans for f in p.unverified],
                      secrets_policy=self.applied_policy())
        return result

    def _write_each(self, plans, desired_by_id):
        """One request per object, a few at a time; every write is tried, then the first error is raised."""
        def write(plan):
            try:
                self._write_one(plan, desired_by_id.get(plan.ident, {}))
            except AirflowError as err:
                return plan, err
            return plan, None

        with ThreadPoolExecutor(max_workers=WRITE_CONCURRENCY) as pool:
            failures = [(plan, err) for plan, err in pool.map(write, plans) if err is not None]
        if failures:
            plan, err = failures[0]
            written = len(plans) - len(failures)
            err.message = "%s %r: %s (%d of %d writes failed, %d done)" % (
                self.resource.noun, plan.ident, err.message, len(failures), len(plans), written)
            raise err

    def _write_bulk(self, plans):
        """One PATCH on the collection; Airflow answers 200 even when entities fail, so read the errors."""
        api = self.client.connect()
        res = self.resource
        actions = []
        creates = [res.to_body(p.after, p.fields) for p in plans if p.action == "create"]
        if creates:
            # overwrite: an object created by someone else since we read still ends as declared.
            actions.extend(dict(action="create", entities=chunk, action_on_existence="overwrite")
                           for chunk in _chunks(creates))
        by_mask = {}
        for p in plans:
            if p.action == "update":
                by_mask.setdefault(tuple(p.fields), []).append(res.to_body(p.after, p.fields))
        for mask, entities in sorted(by_mask.items()):
            actions.extend(dict(action="update", entities=chunk, update_mask=list(mask), action_on_non_existence="fail")
                           for chunk in _chunks(entities))
        deletes = [p.ident for p in plans if p.action == "delete"]
        if deletes:
            actions.extend(dict(action="delete", entities=chunk, action_on_non_existence="skip")
                           for chunk in _chunks(deletes))
        answer = self.client.patch(res.collection_path(api), {"actions": actions})
        errors = []
        for name in ("create", "update", "delete"):
            for error in (answer.get(name) or {}).get("errors") or []:
                errors.append("%s: %s" % (name, error.get("error", error)))
        if errors:
            raise AirflowError("the bulk write of %s reported errors: %s" % (res.collection, "; ".join(errors)),
                               "PATCH", self.client.url(res.collection_path(api)))

    # ----- output -------------------------------------------------------------------------
    def _diff_pair(self, plan):
        """Redacted before/after of one plan; a changed secret shows as HIDDEN_CHANGED."""
        before = self.resource.redact(plan.before) if plan.before else None
        after = self.resource.redact(plan.after) if plan.after else None
        if before and after:
            for field in plan.fields:
                if field in plan.same_secrets:
                    continue    # resent, but equal to what is stored
                if after.get(field) == HIDDEN and (field in plan.secret or before.get(field) == HIDDEN):
                    after[field] = HIDDEN_CHANGED
                elif isinstance(after.get(field), (dict, list)):
                    after[field] = _mark_sent_secrets(after[field], plan.after.get(field))
        return before, after

    def _diff_many(self, plans):
        before, after = {}, {}
        for plan in plans:
            b, a = self._diff_pair(plan)
            if b is not None:
                before[plan.ident] = b
            if a is not None:
                after[plan.ident] = a
        return dict(before=before, after=after)


def _mark_sent_secrets(shown, written):
    """In a written structured field, a hidden part is HIDDEN_CHANGED where its real value is
    sent, and stays HIDDEN where ``***`` is sent (the server keeps what it has)."""
    if shown == HIDDEN:
        return HIDDEN if contains_masked(written) else HIDDEN_CHANGED
    if isinstance(shown, dict) and isinstance(written, dict):
        return dict((k, _mark_sent_secrets(v, written.get(k))) for k, v in shown.items())
    if isinstance(shown, list) and isinstance(written, list) and len(shown) == len(written):
        return [_mark_sent_secrets(v, w) for v, w in zip(shown, written)]
    return shown


def _chunks(entities):
    for start in range(0, len(entities), BULK_CHUNK):
        yield entities[start:start + BULK_CHUNK]
