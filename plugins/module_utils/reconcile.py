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
from ansible_collections.dagops.airflow.plugins.module_utils.bulk_actions import (
    bulk_actions, bulk_and_single, bulk_errors)
from ansible_collections.dagops.airflow.plugins.module_utils.clearing import CLEAR
from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.diffs import diff_many, diff_pair
from ansible_collections.dagops.airflow.plugins.module_utils.masking import DIFFERENT, compare, contains_masked
from ansible_collections.dagops.airflow.plugins.module_utils.plan import compare_fields, summarize
# Resource is declared in its own file; modules import it from here, with the engine.
from ansible_collections.dagops.airflow.plugins.module_utils.resource import Resource  # noqa: F401 pylint: disable=unused-import

SECRETS_POLICIES = ("on_create", "always", "compare", "auto")

# Per-object writes (Airflow 2 has no bulk endpoints) run this many at a time: a server answers
# each in ~50-80 ms, mostly its own work, so a few in flight nearly halve the time even on a
# 2-worker webserver, while staying far below what would load a production server.
WRITE_CONCURRENCY = 4
# How often a bulk write that lost a race (HTTP 409) is planned again from a fresh read.
BULK_RACE_REPLANS = 3


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

    def _resolve_auto_policy(self):
        """``auto`` becomes ``compare`` or ``on_create`` for the rest of the run, from one question
        to the REST plugin; any other policy stays as it is. Called when a masked secret is met."""
        if self.secrets_policy == "auto":
            info = self.client.rest_plugin()
            usable = info is not None and fingerprints.CAPABILITY in (info.get("capabilities") or ())
            self.secrets_policy = "compare" if usable else "on_create"

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
                plan.after.update((f, self._written(plan, f, resend or f in plan.resend)) for f in plan.fields)
        return plans

    def _written(self, plan, field, resend_secrets):
        """What an update writes to ``field``: the resource's empty value to clear it, else its own take on the declared one."""
        want = plan.desired[field]
        if want is CLEAR:
            return self.resource.cleared_value(field)
        return self.resource.update_value(plan.ident, field, want, plan.before.get(field), resend_secrets)

    def _compare(self, ident, desired, state, current):
        res = self.resource
        problem = res.validate(ident, desired, state, current)
        if problem:
            raise ReconcileError(problem)
        secret = res.secret_fields(ident, desired, current)
        for value in res.secret_strings(ident, desired, current, secret):
            self.register_secret(value)
        return compare_fields(res, ident, desired, state, current, secret, resend_secrets=self.secrets_policy == "always")

    def _settle_masked(self, plans):
        """Under ``compare``, one question to the plugin for every masked field of ``plans``:
        an unverified field that differs becomes a change, one that does not is unchanged. A
        field that changes anyway and has masked parts is written with its declared secrets,
        which is safe once they are known (Airflow 2 cannot keep a masked part); the diff shows
        them as changed only where they differ."""
        res = self.resource
        masked = [(plan, f, False) for plan in plans for f in plan.unverified]
        masked.extend((plan, f, True) for plan in plans if plan.action == "update" for f in plan.fields
                      if self.secrets_policy != "always" and plan.desired[f] is not CLEAR
                      and contains_masked(plan.before.get(f)))
        if not masked:
            return
        self._resolve_auto_policy()
        if self.secrets_policy != "compare":
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
            final = self._write_one(plan)
        before, after = diff_pair(self.resource, plan)
        result = self._summary([plan])
        result["diff"] = dict(before=before or {}, after=after or {})
        result[self.resource.noun] = self.resource.redact(final) if final else {}
        return result

    def _get(self, ident, desired):
        api = self.client.connect()
        obj = self.client.get_or_none(self.resource.item_path(api, ident))
        return None if obj is None else self.resource.from_api(obj, desired)

    def _write_one(self, plan):
        """Carry out one plan; the object as the server has it afterwards (None once deleted)."""
        if plan.action == "delete":
            self.client.delete(self.resource.item_path(self.client.connect(), plan.ident))
            return None
        if plan.action == "create":
            return self._create(plan)
        return self._update(plan)

    def _create(self, plan):
        """POST a new object. One that someone else created between our read and our write
        (HTTP 409) is planned again from what is there now: ``plan`` adopts that plan, so the
        summary and the diff tell what was really done, and it is updated if it differs."""
        api = self.client.connect()
        res = self.resource
        item_path = res.item_path(api, plan.ident)

        def confirm():
            # The create may have landed before the connection dropped. Only an object with
            # our values proves it; anything else is settled by the 409 path below.
            found = self.client.get_or_none(item_path)
            if found is None:
                return None
            landed = res.from_api(found, plan.desired)
            same = all(compare(plan.desired[f], landed.get(f)) != DIFFERENT for f in plan.fields)
            return found if same else None
        try:
            # Without an id nothing can prove a lost create landed: the client then fails
            # instead of sending it twice.
            answer = self.client.post(res.collection_path(api), res.to_body(plan.after, plan.fields),
                                      confirm=confirm if plan.ident is not None else None)
        except AirflowError as err:
            if err.status != 409 or plan.ident is None:
                raise
            now = self._get(plan.ident, plan.desired)
            if now is None:
                raise  # still absent: the conflict is with another object (a unique field, a user's email)
            plan.adopt(self.plan(plan.ident, plan.desired, "present", now))
            return self._update(plan) if plan.action else plan.before
        if plan.ident is not None and answer.get(res.id_field) is None:
            # Some endpoints answer a create without the object (Airflow 2's role POST: {}).
            return self._get(plan.ident, plan.desired)
        return res.from_api(answer, plan.desired)

    def _update(self, plan):
        """PATCH the planned fields of an existing object, in as many calls as the resource needs."""
        api = self.client.connect()
        answer = None
        for path, body, params in self.resource.update_calls(api, plan.ident, plan.after, plan.fields):
            answer = self.client.patch(path, body, params=params)
        return self.resource.from_api(answer, plan.desired)

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
        return self._apply(self._plan_many(items, seen, exclusive, exclude),
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
        wanted = []
        for obj in listed:
            ident = obj[res.id_field]
            own = dict(desired, **{res.id_field: ident})
            wanted.append((ident, own, "present", res.from_api(obj, own)))
        plans = self.plan_all(wanted)
        result = self._apply(plans)
        result["matched"] = [plan.ident for plan in plans]
        return result

    def _apply(self, plans, replan=None):
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
                self._write_each(to_write)
        result = self._summary(plans)
        result["diff"] = diff_many(self.resource, to_write)
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
        result = summarize(plans)
        result["secrets_policy"] = self.applied_policy()
        return result

    def _write_each(self, plans):
        """One request per object, a few at a time; every write is tried, then the first error is raised."""
        def write(plan):
            try:
                self._write_one(plan)
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
        plans, singles = bulk_and_single(plans, api.bulk_update_masks(self.client.server_version()))
        path = self.resource.collection_path(api)
        answer = self.client.patch(path, {"actions": bulk_actions(self.resource, plans)}) if plans else None
        errors = bulk_errors(answer)
        if errors:
            raise AirflowError("the bulk write of %s reported errors: %s" % (self.resource.collection, "; ".join(errors)),
                               "PATCH", self.client.url(path))
        self._write_each(singles)
