#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_deploy_dag
short_description: Deploy DAG files into Airflow's dags folder through the collection's REST plugin
version_added: 0.1.0
description:
  - Uploads DAG files (C(.py) and C(.zip)) into the dags folder of Airflow 2.11+ or Airflow 3, removes them, and waits
    until Airflow has parsed the DAGs they define. Talks HTTP only; the Airflow host needs no SSH access.
  - Needs the collection's REST plugin on the Airflow web/api server (install it with the
    R(dagops.airflow.rest_api_plugin,ansible_collections.dagops.airflow.rest_api_plugin_role) role) and an admin user.
  - Idempotent by SHA-256; a file whose content is already in place is not uploaded.
  - The plugin compiles and imports every file in a subprocess before it replaces anything. A file that fails to import
    is refused; the task fails with the import error and the file in the dags folder stays as it was.
  - A directory, or more than one file to write or remove, goes as one batch (all or nothing) where the plugin has the
    batch call - the plugin validates the whole change set together and applies it only when every file imports; a
    refused batch names every failing file with its import error and changes nothing.
  - O(src) is read on the controller, like M(ansible.builtin.copy) does (this module has an action plugin); the
    module then runs where the task runs (usually the controller) and only needs to reach O(airflow_url).
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.ATTRIBUTES
attributes:
  action:
    support: full
    description: An action plugin reads O(src) on the controller.
  diff_mode:
    support: full
    description:
      - Shows the files that are (or would be) added, changed and removed, by path with their SHA-256 before and after,
        and the pause state of DAGs that O(paused) changes. File contents are never shown.
options:
  src:
    description:
      - A C(.py) or C(.zip) file, or a directory, on the controller.
      - A relative path is searched like M(ansible.builtin.copy) searches it, in the role's or play's C(files/)
        directories first.
      - From a directory, every C(.py) and C(.zip) file is deployed, recursively, keeping the sub-directories.
        Hidden files and directories (a name starting with C(.)) and C(__pycache__) are skipped; symlinked files are
        read as their target, symlinked directories are not entered.
      - Mutually exclusive with O(content). One of the two is required with O(state=present).
    type: str
  content:
    description:
      - The file's content, deployed to O(dest) (which is then required and names the file).
      - Never returned; the result and the invocation show its SHA-256 only.
    type: str
  dest:
    description:
      - Where the files go, relative to the dags folder (Airflow 3 - the root of the C(dags-folder) bundle), with C(/)
        between directories. No absolute path, no C(..), no hidden parts.
      - With a file as O(src), the file's path; a value that ends in C(/) is a directory that receives the file under
        its own name. Default - the file's own name at the dags folder's top.
      - With a directory as O(src), the sub-directory that receives its files. Default - the dags folder's top.
      - With O(content), the file's path (required).
      - With O(state=absent), the file to remove, or a directory whose C(.py) and C(.zip) files are all removed
        (required, never the whole dags folder).
    type: str
  state:
    description:
      - V(present) puts the files in place.
      - V(rolled_back) restores the files of the last batch the plugin applied (by this module or another) to what they
        were before it - changed and removed files come back, added files go. A second V(rolled_back) re-applies the
        batch. O(src), O(content), O(dest), O(exclusive) and O(paused) are not used. Check mode asks the plugin what
        would change and changes nothing. Needs the plugin's batch call.
      - V(absent) removes O(dest) (a file, or every DAG file under a directory). O(src) and O(content) are not used.
        The DAGs' metadata stays in Airflow, marked stale; the result's RV(stale_dag_ids) lists them for
        M(dagops.airflow.airflow_dag) with O(dagops.airflow.airflow_dag#module:state=absent).
    type: str
    choices: [present, absent, rolled_back]
    default: present
  exclusive:
    description:
      - With a directory as O(src), also removes every C(.py) and C(.zip) file under O(dest) that the directory does
        not have. With O(dest) unset that is the whole dags folder, a GitOps-style sync.
      - The other files (not C(.py)/C(.zip), hidden files) are never touched.
    type: bool
    default: false
  paused:
    description:
      - V(true) pauses, V(false) unpauses every DAG the deployed files define; when omitted the pause state is left as
        it is (Airflow pauses a new DAG when it first appears unless C([core] dags_are_paused_at_creation) is off).
      - Needs O(wait=true) (a DAG can be paused only once Airflow has parsed it).
    type: bool
  wait:
    description:
      - Wait until Airflow has parsed the DAGs that an uploaded file defines. For a file that replaced another one, a
        parse that started after the upload is waited for (asked for with Airflow's C(parseDagFile) where the version has
        it), so the DAGs the API then shows are the new ones.
      - Fails with the DAG processor's import error when the file fails to import there.
      - Files that were already in place are not waited for.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for all the DAGs together.
      - The plugin asks Airflow to parse an uploaded file at once where the version supports it; otherwise new files are
        found every C([scheduler] dag_dir_list_interval) (Airflow 2) or C([dag_processor] refresh_interval)
        (Airflow 3), 300 seconds by default.
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two looks while waiting.
    type: int
    default: 3
  _files:
    description:
      - Internal, set by the action plugin - the files it read from O(src) (or O(content)), each with its C(path),
        C(sha256), C(size) and base64 C(content). Do not set it. The result's C(invocation) shows it without C(content).
    type: list
    elements: dict
  _src_type:
    description:
      - Internal, set by the action plugin - what O(_files) came from. Do not set it.
    type: str
    choices: [file, directory, content]
notes:
  - A directory, or a change of more than one file, is one request (the plugin's batch call) - the plugin stages the
    complete new tree outside the dags folder, imports the written files in it (helper modules and packages in their new
    version, C(.airflowignore) respected) with a few processes, and only then applies the change set, crash-safe
    (see the plugin's contract, C(docs/rest_api_plugin.md)). While waiting, one listing request per poll covers all the
    batch's DAGs; with O(wait=false) the result's C(dags) show C(is_paused=null).
  - Against a plugin without the batch call (older than this collection's), files are uploaded one at a time, in path
    order, modules that define no DAG (their content mentions neither C(airflow) nor C(dag), Airflow's own test)
    first, with a warning; the first file that fails to import stops the deployment, the files uploaded before it
    stay, the result lists them, and nothing is removed.
  - In check mode nothing is uploaded or removed; the result and the diff show what would be.
  - The REST plugin checks the paths again (symlinks that leave the dags folder, the size limit C([rest_api_plugin]
    max_file_size)).
seealso:
  - module: dagops.airflow.airflow_dag
  - module: dagops.airflow.airflow_info
"""

EXAMPLES = r"""
- name: Deploy one DAG file from the role's files/ and unpause its DAGs
  dagops.airflow.airflow_deploy_dag:
    airflow_url: https://airflow.example.com
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
    src: dags/etl/orders.py
    dest: etl/orders.py
    paused: false

- name: Sync a directory of DAG files into the dags folder, removing the files it no longer has
  dagops.airflow.airflow_deploy_dag:
    src: "{{ playbook_dir }}/dags/"
    exclusive: true
  register: deployed

- name: Show what changed
  ansible.builtin.debug:
    msg: "added {{ deployed.files.added }}, changed {{ deployed.files.changed }}, removed {{ deployed.files.removed }}"

- name: A DAG written by a template
  dagops.airflow.airflow_deploy_dag:
    content: "{{ lookup('ansible.builtin.template', 'report_dag.py.j2') }}"
    dest: generated/report.py

- name: Remove a file, then the metadata of the DAGs it defined
  dagops.airflow.airflow_deploy_dag:
    dest: etl/old_report.py
    state: absent
  register: removed

- name: Delete the stale DAGs' metadata
  dagops.airflow.airflow_dag:
    dag_id: "{{ item }}"
    state: absent
  loop: "{{ removed.stale_dag_ids }}"
"""

RETURN = r"""
files:
  description: The target paths (relative to the dags folder) by what the task did (or, in check mode, would do) to them.
  returned: always
  type: dict
  contains:
    added:
      description: Files that were not there.
      type: list
      elements: str
      sample: [etl/orders.py]
    changed:
      description: Files whose content was replaced.
      type: list
      elements: str
    removed:
      description: Files removed (O(exclusive), O(state=absent)).
      type: list
      elements: str
    unchanged:
      description: Files already in place with the same SHA-256.
      type: list
      elements: str
dag_ids:
  description:
    - The DAGs the deployed files define, as the plugin's validation found them for uploaded files and as Airflow knows
      them for files already in place. In check mode, DAGs of files that would be added are not known yet.
    - With O(state=absent), the DAGs the removed files defined.
  returned: always
  type: list
  elements: str
  sample: [orders_etl]
dags:
  description: The deployed files' DAGs after the task, with their file and pause state (V(null) when not known, for
    example with O(wait=false)).
  returned: with O(state=present)
  type: list
  elements: dict
  sample: [{"dag_id": "orders_etl", "file": "etl/orders.py", "is_paused": false}]
stale_dag_ids:
  description: The DAGs that removed files defined. Airflow keeps their metadata (marked stale) until it is deleted.
  returned: always
  type: list
  elements: str
failed_file:
  description: On a refused upload, the file that failed to import (of a refused batch, the first by path; RV(import_errors) names them all).
  returned: on failure
  type: str
  sample: etl/broken.py
import_errors:
  description: On a refused upload, the plugin's import error per file; after a wait, the DAG processor's import errors.
  returned: on failure
  type: raw
rolled_back:
  description: With O(state=rolled_back), the plugin's id of the batch that was (or, in check mode, would be) undone;
    V(null) when there was none.
  returned: with O(state=rolled_back)
  type: str
  sample: 20261206T044512123456Z-a1b2c3
api_version:
  description: The REST API version that was used.
  returned: when the server was reached
  type: str
  sample: v2
"""

import base64
import hashlib
import time

from ansible_collections.dagops.airflow.plugins.module_utils.dag_batch import BatchApi, BatchRefused, BatchWaiter
from ansible_collections.dagops.airflow.plugins.module_utils.dag_files import (
    DagFileRefused, DagFilesApi, check_targets, clean_dest, file_diff, is_dag_file_name, path_problem,
    plan_absent, plan_present, upload_order,
)
from ansible_collections.dagops.airflow.plugins.module_utils.dags import (
    DagResource, DagWaiter, FreshParse, desired_pause, request_reparse,
)
from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule, wait_options
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError


def check_options(module):
    p = module.params
    if p["state"] == "rolled_back":
        if any(p[name] is not None for name in ("src", "content", "_files", "dest", "paused")) or p["exclusive"]:
            module.fail_json(msg="state=rolled_back restores the files of the last batch; src, content, dest, "
                                 "exclusive and paused do not apply")
        return
    if p["state"] == "absent":
        if p["src"] is not None or p["content"] is not None or p["_files"] is not None:
            module.fail_json(msg="state=absent removes dest; src and content apply to state=present")
        dest = clean_dest(p["dest"]).rstrip("/")
        if not dest:
            module.fail_json(msg="state=absent needs dest, the file or directory to remove (never the whole dags folder)")
        problem = path_problem(dest)
        if problem:
            module.fail_json(msg=problem)
        if p["exclusive"] or p["paused"] is not None:
            module.fail_json(msg="exclusive and paused apply to state=present")
    elif p["src"] is None and p["content"] is None and p["_files"] is None:
        module.fail_json(msg="state=present needs src (a file or directory on the controller) or content")
    if p["paused"] is not None and not p["wait"]:
        module.fail_json(msg="paused needs wait=true: a DAG can be paused once Airflow has parsed it")


def source_files(module):
    """(kind, {relative path: bytes}): what the action plugin read on the controller, or content."""
    p = module.params
    if p["_files"] is not None:
        kind = p["_src_type"] or "file"
        files = dict((f["path"], base64.b64decode(f["content"])) for f in p["_files"])
    elif p["content"] is not None:
        kind, files = "content", {"": p["content"].encode("utf-8")}
    else:
        module.fail_json(msg="src is read on the controller by this module's action plugin; run it as a task "
                             "(dagops.airflow.airflow_deploy_dag), or pass content")
    if kind == "directory" and not files:
        module.fail_json(msg="the directory %s holds no .py or .zip file to deploy" % p["src"])
    if p["exclusive"] and kind != "directory":
        module.fail_json(msg="exclusive applies to a directory as src: it removes the files the directory does not have")
    return kind, files


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class Deployment:
    """One task's work: plan the files, write them, wait for their DAGs, pause or unpause them."""

    def __init__(self, module):
        self.module = module
        self.client = module.client
        self.api = DagFilesApi(self.client)
        self.batch_api = BatchApi(self.api)
        self.p = module.params
        self.written = []       # (path, plugin's answer), in upload order
        self.removed = []
        self.batched = False    # the change went as one batch (all or nothing)

    # ----- state=present -----------------------------------------------------------------------
    def present(self):
        kind, sources = source_files(self.module)
        targets, problem = check_targets(kind, self.p["dest"], sorted(sources))
        if problem:
            self.module.fail_json(msg=problem)
        contents = dict((targets[rel], data) for rel, data in sources.items())
        wanted = dict((path, sha256(data)) for path, data in contents.items())
        listed_dir = self._listing_dir(kind, self.p["dest"], wanted)
        remote = self.api.listing(listed_dir)
        remote_sums = dict((path, entry.get("sha256")) for path, entry in remote.items())
        plan = plan_present(wanted, remote_sums, exclusive_dir=listed_dir if self.p["exclusive"] else None)
        before, after = file_diff(plan, wanted, remote_sums)
        result = dict(changed=plan.writes, files=plan.summary(),
                      stale_dag_ids=self._dag_ids_of(remote, plan.removed))
        result["diff"] = dict(before={"files": before}, after={"files": after})
        self.batched = self._use_batch(kind == "directory", plan)
        if not self.module.check_mode and plan.writes:
            if self.batched:
                self._send_batch(contents, plan)
            else:
                self._upload(upload_order(plan.added + plan.changed, contents), contents, remote, plan)
                for path in plan.removed:
                    self.api.delete(path)
        dags = self._dags(plan, remote)
        result["dag_ids"] = sorted(dags)
        result["dags"] = self._settle_batch(dags, result, plan, listed_dir) if self.batched else self._settle(dags, result)
        return result

    # ----- one batch: all or nothing -----------------------------------------------------------
    def _use_batch(self, directory, plan):
        """A directory, or more than one file to write or remove, goes as one batch where the plugin
        has the call; an older plugin gets the files one by one, with a warning."""
        if not (directory or len(plan.added) + len(plan.changed) + len(plan.removed) > 1):
            return False
        if self.batch_api.available():
            return True
        if plan.writes and not self.module.check_mode:
            self.module.warn("the REST plugin on this server has no batch call (capability dag-files-batch), so "
                             "the files are sent one by one and a failing file leaves the files before it "
                             "deployed; upgrade the plugin (dagops.airflow.rest_api_plugin role)")
        return False

    def _send_batch(self, contents, plan):
        writes = dict((path, contents[path]) for path in plan.added + plan.changed)
        try:
            answer = self.batch_api.send(writes, plan.removed)
        except BatchRefused as err:
            failing = sorted(err.import_errors)
            raise ReconcileError(err.message, changed=False, failed_file=failing[0] if failing else None,
                                 import_errors=err.import_errors,
                                 files=dict(added=[], changed=[], removed=[], unchanged=plan.unchanged))
        dag_ids = answer.get("dag_ids") or {}
        for path in sorted(writes):
            self.written.append((path, {"dag_ids": dag_ids.get(path) or [], "created": path in plan.added}))
        self.removed = list(plan.removed)

    def _settle_batch(self, dags, result, plan, directory):
        """Wait with one listing per poll for all the batch's files, then read the DAGs in one paged
        listing (only when waiting or pausing: with wait=false nothing more is asked)."""
        shown = {}
        if self.p["wait"] and self.written:
            expected = dict((path, answer.get("dag_ids")) for path, answer in self.written)
            BatchWaiter(self.api, directory, expected, plan.changed, self.p["wait_timeout"],
                        self.p["poll_interval"]).wait()
        if dags and ((self.p["wait"] and not self.module.check_mode) or self.p["paused"] is not None):
            api = self.client.connect()
            for dag in self.client.list_all(api.path("dags"), "dags"):
                if dag.get("dag_id") in dags:
                    shown[dag["dag_id"]] = dag
        if self.p["paused"] is not None:
            self._pause(shown, result)
        return [dict(dag_id=dag_id, file=dags[dag_id][0],
                     is_paused=shown[dag_id].get("is_paused") if shown.get(dag_id) else None)
                for dag_id in sorted(dags)]

    @staticmethod
    def _listing_dir(kind, dest, wanted):
        """The directory to list: a directory's dest (exclusive looks at all of it), a file's parent."""
        if kind == "directory":
            return clean_dest(dest).rstrip("/")
        path = next(iter(wanted))
        return path.rsplit("/", 1)[0] if "/" in path else ""

    def _upload(self, order, contents, remote, plan):
        for index, path in enumerate(order):
            try:
                answer = self.api.put(path, contents[path])
            except DagFileRefused as err:
                raise self._refused(err, order[index + 1:], plan)
            self.written.append((path, answer))
            if path in remote and remote[path].get("dag_ids"):
                self._ask_reparse(remote[path]["dag_ids"][0])

    def _refused(self, err, not_tried, plan):
        written = [path for path, answer in self.written]
        message = err.message
        if written:
            message += "\nUploaded before it (they stay): %s" % ", ".join(written)
        if not_tried or plan.removed:
            message += "\nNot done: %s" % ", ".join(
                ["upload %s" % path for path in not_tried] + ["remove %s" % path for path in plan.removed])
        return ReconcileError(
            message, changed=bool(written), failed_file=err.path, import_errors=err.import_errors,
            files=dict(added=[p for p in written if p in plan.added], changed=[p for p in written if p in plan.changed],
                       removed=[], unchanged=plan.unchanged))

    def _ask_reparse(self, dag_id):
        """The file had DAGs: ask Airflow to parse it again now rather than at its next turn."""
        dag = self.client.get_or_none(self.client.connect().path("dags", dag_id))
        if dag is not None:
            request_reparse(self.client, dag)

    def _dags(self, plan, remote):
        """{dag_id: (file, how to wait)}: fresh parses for uploaded files' DAGs, none for the others."""
        dags = {}
        for path in plan.changed + plan.unchanged:
            for dag_id in remote[path].get("dag_ids") or []:
                dags[dag_id] = (path, None)
        for path, answer in self.written:
            for dag_id in answer.get("dag_ids") or []:
                dags[dag_id] = (path, answer)
        return dags

    def _settle(self, dags, result):
        """Wait for the uploaded files' DAGs, apply paused, and say how every DAG stands."""
        shown = {}
        deadline = time.monotonic() + self.p["wait_timeout"]
        for dag_id in sorted(dags):
            path, answer = dags[dag_id]
            if answer is not None and self.p["wait"] and not self.module.check_mode:
                shown[dag_id] = self._wait(dag_id, path, answer, max(0, deadline - time.monotonic()))
            elif not self.module.check_mode or answer is None:
                shown[dag_id] = self.client.get_or_none(self.client.connect().path("dags", dag_id))
        if self.p["paused"] is not None:
            self._pause(shown, result)
        return [dict(dag_id=dag_id, file=dags[dag_id][0],
                     is_paused=shown[dag_id].get("is_paused") if shown.get(dag_id) else None)
                for dag_id in sorted(dags)]

    def _wait(self, dag_id, path, answer, timeout):
        fresh = FreshParse(float(answer.get("mtime") or 0), replaced=not answer.get("created", False),
                           on_early=lambda dag: request_reparse(self.client, dag))
        return DagWaiter(self.client, dag_id, dag_file=path, timeout=timeout, interval=self.p["poll_interval"],
                         fresh=fresh).wait()

    def _pause(self, shown, result):
        engine = self.module.reconciler(DagResource())
        before, after = {}, {}
        for dag_id, dag in sorted(shown.items()):
            if dag is None:
                if not self.module.check_mode:
                    self.module.warn("DAG %r is not known to Airflow (its metadata was deleted?), so paused was "
                                     "not applied to it; it returns at its file's next parse" % dag_id)
                continue  # in check mode: the DAG of a file not uploaded yet
            outcome = engine.ensure_one(dag_id, desired_pause(dag_id, self.p["paused"]))
            if outcome["changed"]:
                result["changed"] = True
                before[dag_id] = outcome["diff"]["before"]["is_paused"]
                after[dag_id] = outcome["diff"]["after"]["is_paused"]
            shown[dag_id] = dict(dag, is_paused=outcome["dag"]["is_paused"])
        if before:
            result["diff"]["before"]["paused"] = before
            result["diff"]["after"]["paused"] = after

    # ----- state=absent ------------------------------------------------------------------------
    def absent(self):
        dest = clean_dest(self.p["dest"]).rstrip("/")
        directory = dest.rsplit("/", 1)[0] if is_dag_file_name(dest) and "/" in dest else (
            "" if is_dag_file_name(dest) else dest)
        remote = self.api.listing(directory)
        plan = plan_absent(dest, remote)
        before, after = file_diff(plan, {}, dict((path, e.get("sha256")) for path, e in remote.items()))
        if not self.module.check_mode and plan.writes:
            if self._use_batch(False, plan):
                try:
                    self.batch_api.send({}, plan.removed)
                except BatchRefused as err:  # a removal alone imports nothing; only a plugin change gets here
                    raise ReconcileError(err.message, changed=False, import_errors=err.import_errors)
            else:
                for path in plan.removed:
                    self.api.delete(path)
        stale = self._dag_ids_of(remote, plan.removed)
        return dict(changed=plan.writes, files=plan.summary(), dag_ids=stale, stale_dag_ids=stale,
                    diff=dict(before={"files": before}, after={"files": after}))

    # ----- state=rolled_back -------------------------------------------------------------------
    def rolled_back(self):
        """Undo the last batch the plugin applied (its files as they were before it)."""
        if not self.batch_api.available():
            self.module.fail_json(msg="state=rolled_back needs the REST plugin's batch call (capability "
                                      "dag-files-batch); upgrade the plugin (dagops.airflow.rest_api_plugin role)")
        answer = self.batch_api.rollback(dry_run=self.module.check_mode)
        empty = dict(added=[], changed=[], removed=[], unchanged=[])
        if answer is None:
            return dict(changed=False, files=empty, dag_ids=[], stale_dag_ids=[], rolled_back=None,
                        msg="no batch to roll back: none was applied through the batch call")
        files = dict(empty, **dict((k, sorted(answer.get("files", {}).get(k) or [])) for k in empty))
        before = dict((path, "as deployed") for path in files["changed"] + files["removed"])
        after = dict((path, "as before batch %s" % answer.get("rolled_back")) for path in files["added"] + files["changed"])
        return dict(changed=bool(answer.get("changed")), files=files, dag_ids=[], stale_dag_ids=[],
                    rolled_back=answer.get("rolled_back"), diff=dict(before={"files": before}, after={"files": after}))

    @staticmethod
    def _dag_ids_of(remote, paths):
        return sorted(set(dag_id for path in paths for dag_id in remote[path].get("dag_ids") or []))


def main():
    module = AirflowModule(
        argument_spec=dict(
            src=dict(type="str"),
            content=dict(type="str"),
            dest=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent", "rolled_back"]),
            exclusive=dict(type="bool", default=False),
            paused=dict(type="bool"),
            wait=dict(type="bool", default=True),
            **wait_options(wait_timeout=300),
            # Set by the action plugin: the files it read on the controller (path, sha256, base64 content).
            _files=dict(type="list", elements="dict"),
            _src_type=dict(type="str", choices=["file", "directory", "content"]),
        ),
        mutually_exclusive=[("src", "content")],
    )
    check_options(module)
    deployment = Deployment(module)
    run = dict(absent=deployment.absent, rolled_back=deployment.rolled_back).get(module.params["state"], deployment.present)
    module.run(run)


if __name__ == "__main__":
    main()
