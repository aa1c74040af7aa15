"""The batch and rollback calls: plan the change set against the live dags folder, stage it,
validate it together, apply it all or nothing (releases.py), answer what changed."""
import os

from dagops_rest_api.config import default_state_folder
from dagops_rest_api.errors import ApiError
from dagops_rest_api.files import sha256_bytes
from dagops_rest_api.paths import dag_file_target
from dagops_rest_api.releases import DeployState, file_sha256, link_or_copy, new_release_id
from dagops_rest_api.validation import first_line


def deploy_state(service):
    settings = service.settings
    folder = settings.deploy_state_folder or default_state_folder(settings.dags_folder)
    return DeployState(folder, service.root, settings.keep_releases)


def repair_if_needed(service):
    """Every dag-files call rolls an interrupted apply forward before it looks at the folder."""
    state = deploy_state(service)
    if state.needs_repair():
        with state.locked():
            state.repair()


def plan(root, request):
    """The change set: {path: live target} for every path, and the paths added, changed, unchanged,
    removed (a removal of a missing file is dropped). Path rules and symlinks checked here (400)."""
    targets = dict((path, dag_file_target(root, path)) for path in list(request.files) + list(request.remove))
    before = dict((path, file_sha256(target)) for path, target in targets.items())
    added = sorted(p for p in request.files if before[p] is None)
    changed = sorted(p for p in request.files if before[p] not in (None, sha256_bytes(request.files[p])))
    unchanged = sorted(p for p in request.files if before[p] == sha256_bytes(request.files[p]))
    removed = sorted(p for p in request.remove if before[p] is not None)
    record = {"kind": "batch", "added": dict((p, sha256_bytes(request.files[p])) for p in added),
              "changed": dict((p, [before[p], sha256_bytes(request.files[p])]) for p in changed),
              "removed": dict((p, before[p]) for p in removed)}
    return targets, record, unchanged


def answer(release, record, unchanged, dag_ids, **extra):
    files = {"added": sorted(record["added"]), "changed": sorted(record["changed"]),
             "removed": sorted(record["removed"]), "unchanged": unchanged}
    changed = bool(files["added"] or files["changed"] or files["removed"])
    return 200, dict(extra, changed=changed, release=release if changed else None, files=files,
                     dag_ids=dag_ids, import_errors={})


def refused(errors, checked):
    names = sorted(errors)
    detail = (f"{len(names)} of {checked} files failed to import, so nothing was changed: {', '.join(names)}"
              f" ({first_line(errors[names[0]])})")
    return ApiError(422, detail, import_errors=dict(errors))


def batch(service, request):
    state = deploy_state(service)
    with state.locked():
        state.repair()
        targets, record, unchanged = plan(service.root, request)
        writes = dict((path, request.files[path]) for path in list(record["added"]) + list(record["changed"]))
        if not writes and not record["removed"]:
            known = service.store.dag_ids_by_file()
            return answer(None, record, unchanged, dict((p, known.get(p, [])) for p in unchanged))
        release, tree = state.stage(writes, record["removed"])
        try:
            validation = service.tree_validator(tree, sorted(writes), service.settings)
        except BaseException:
            state.discard(release)
            raise
        if validation.import_errors:
            state.discard(release)
            raise refused(validation.import_errors, len(writes))
        sources = dict((path, os.path.join(tree, *path.split("/"))) for path in writes)
        state.apply(release, sources, targets, record)
    request_parses(service, sorted(writes), targets)
    return answer(release, record, unchanged, dict((p, validation.dag_ids.get(p, [])) for p in sorted(writes)))


def rollback(service, dry_run=False):
    """Undo the last applied release: its changed and removed files get their previous bytes back,
    its added files go. Itself a release, so a second rollback re-applies. `dry_run`: only say what
    it would change."""
    state = deploy_state(service)
    with state.locked():
        state.repair()
        last = state.current_release()
        if last is None:
            raise ApiError(409, "no batch to roll back (no release has been applied through the batch call)")
        restore = dict((path, state.previous_file(last["id"], path))
                       for path in list(last["changed"]) + list(last["removed"]))
        targets = dict((path, dag_file_target(service.root, path))
                       for path in list(restore) + list(last["added"]))
        before = dict((path, file_sha256(target)) for path, target in targets.items())
        after = dict((path, file_sha256(source)) for path, source in restore.items())
        record = {"kind": "rollback", "rolled_back": last["id"],
                  "added": dict((p, after[p]) for p in restore if before[p] is None),
                  "changed": dict((p, [before[p], after[p]]) for p in restore if before[p] not in (None, after[p])),
                  "removed": dict((p, before[p]) for p in last["added"] if before[p] is not None)}
        writes = sorted(list(record["added"]) + list(record["changed"]))
        unchanged = sorted(p for p in restore if before[p] == after[p])
        if dry_run:
            _status, body = answer(None, record, unchanged, {}, rolled_back=last["id"], dry_run=True)
            return 200, dict(body, release=None)
        release = new_release_id()
        sources = {}
        for path in writes:  # linked, so the kept previous version stays for a later rollback
            sources[path] = state.path("staging", release, "tree", *path.split("/"))
            link_or_copy(restore[path], sources[path])
        if writes or record["removed"]:
            state.apply(release, sources, targets, record)
    request_parses(service, writes, targets)
    return answer(release, record, unchanged, {}, rolled_back=last["id"])


def request_parses(service, paths, targets):
    if paths:
        service.store.request_parses([(path, targets[path]) for path in paths])
