"""All-or-nothing deploys (docs/rest_api_plugin.md, "Crash safety"): a private staged tree, a
write-ahead journal of renames that the next call rolls forward after a crash, and per release the
previous version of every file it replaced or removed, for rollback. Plain file system work."""
import contextlib
import datetime
import fcntl
import json
import os
import secrets
import shutil

from dagops_rest_api.errors import ApiError
from dagops_rest_api.files import atomic_write, fsync_directory, sha256_file
from dagops_rest_api.paths import SKIPPED_DIR_NAMES, is_inside

JOURNAL = "journal.json"
CURRENT = "current"


def new_release_id():
    """Sortable by time, unique enough for one host."""
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ") + "-" + secrets.token_hex(3)


def write_json(path, value):
    atomic_write(path, json.dumps(value, indent=1, sort_keys=True).encode("utf-8"))


def read_json(path):
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def write_new_file(path, data):
    """A new inode at `path`: never write through a hard link shared with the live dags folder."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    with open(path, "xb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(path, 0o644)


def link_or_copy(source, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class DeployState:
    """`[rest_api_plugin] deploy_state_folder`: lock, journal.json, current, staging/<id>/, releases/<id>/."""

    def __init__(self, folder, root, keep_releases):
        self.folder = folder
        self.root = root  # the real dags folder
        self.keep_releases = keep_releases

    def path(self, *parts):
        return os.path.join(self.folder, *parts)

    # ----- safety ----------------------------------------------------------------------------
    def prepare(self):
        """Create the folder; 500 when renames into the dags folder could not be atomic."""
        if is_inside(self.root, os.path.realpath(self.folder)):
            raise ApiError(500, f"[rest_api_plugin] deploy_state_folder {self.folder} is inside the dags folder, "
                                "where Airflow would parse staged files; put it beside it")
        os.makedirs(self.path("staging"), exist_ok=True)
        os.makedirs(self.path("releases"), exist_ok=True)
        if os.stat(self.folder).st_dev != os.stat(self.root).st_dev:
            raise ApiError(500, f"[rest_api_plugin] deploy_state_folder {self.folder} is on another file system "
                                f"than the dags folder {self.root}, so a rename cannot be atomic")

    @contextlib.contextmanager
    def locked(self):
        self.prepare()
        with open(self.path("lock"), "a", encoding="utf-8") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield self
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def needs_repair(self):
        return os.path.exists(self.path(JOURNAL))

    def repair(self):
        """Under the lock: finish an interrupted apply, drop staging left by a refused or killed batch."""
        if self.needs_repair():
            self._run_journal(read_json(self.path(JOURNAL)))
        for name in os.listdir(self.path("staging")):
            shutil.rmtree(self.path("staging", name), ignore_errors=True)

    # ----- staging ---------------------------------------------------------------------------
    def stage(self, writes, removes):
        """(release id, staged tree): the live tree hard-linked, `writes` {path: bytes} written as new
        files, `removes` [paths] unlinked."""
        release = new_release_id()
        tree = self.path("staging", release, "tree")
        os.makedirs(tree)
        self._link_tree(tree)
        for path, data in writes.items():
            target = os.path.join(tree, *path.split("/"))
            if not is_inside(os.path.realpath(tree), os.path.realpath(os.path.dirname(target))):
                raise ApiError(400, f"the path {path!r} goes through a symlink that a batch cannot follow; "
                                    "deploy it with PUT")
            write_new_file(target, data)
        for path in removes:
            target = os.path.join(tree, *path.split("/"))
            if os.path.lexists(target):
                os.unlink(target)
        return release, tree

    def _link_tree(self, tree):
        for directory, subdirs, names in os.walk(self.root):
            relative = os.path.relpath(directory, self.root)
            staged = os.path.normpath(os.path.join(tree, relative))
            os.makedirs(staged, exist_ok=True)
            for name in list(subdirs):
                if name in SKIPPED_DIR_NAMES:
                    subdirs.remove(name)
                elif os.path.islink(os.path.join(directory, name)):  # os.walk does not enter it
                    os.symlink(os.readlink(os.path.join(directory, name)), os.path.join(staged, name))
            for name in names:
                source = os.path.join(directory, name)
                if os.path.islink(source):
                    os.symlink(os.readlink(source), os.path.join(staged, name))
                elif os.path.isfile(source):
                    link_or_copy(source, os.path.join(staged, name))

    def discard(self, release):
        shutil.rmtree(self.path("staging", release), ignore_errors=True)

    # ----- apply -----------------------------------------------------------------------------
    def apply(self, release, sources, targets, record):
        """Make the change set live. `sources` {path: staged file} for writes, `targets` {path: live
        absolute path} for writes and removals, `record` the release's description (added, changed,
        removed). Keeps the previous files, writes the journal, then runs it."""
        directory = self.path("releases", release)
        os.makedirs(directory)
        for path in list(record["changed"]) + list(record["removed"]):
            link_or_copy(targets[path], os.path.join(directory, "previous", *path.split("/")))
        write_json(os.path.join(directory, "release.json"), dict(record, id=release))
        operations = [["put", path, sources[path], targets[path]] for path in sorted(sources)]
        operations += [["remove", path, None, targets[path]] for path in sorted(record["removed"])]
        journal = {"release": release, "operations": operations}
        write_json(self.path(JOURNAL), journal)  # from here on the batch is decided
        self._run_journal(journal)

    def _run_journal(self, journal):
        touched = set()
        for kind, _path, source, target in journal["operations"]:
            if kind == "put" and os.path.exists(source):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(source, target)
            elif kind == "remove" and os.path.lexists(target):
                os.unlink(target)
            touched.add(os.path.dirname(target))
        for directory in sorted(touched):
            fsync_directory(directory)
        atomic_write(self.path(CURRENT), journal["release"].encode("ascii"))
        os.unlink(self.path(JOURNAL))
        fsync_directory(self.folder)
        self.discard(journal["release"])
        self._prune()

    def _prune(self):
        releases = sorted(os.listdir(self.path("releases")))
        for name in releases[:-self.keep_releases]:
            shutil.rmtree(self.path("releases", name), ignore_errors=True)

    # ----- rollback --------------------------------------------------------------------------
    def current_release(self):
        """The last applied release's record, or None."""
        try:
            with open(self.path(CURRENT), encoding="ascii") as stream:
                release = stream.read().strip()
            return read_json(self.path("releases", release, "release.json"))
        except (OSError, ValueError):
            return None

    def previous_file(self, release, path):
        return self.path("releases", release, "previous", *path.split("/"))


def file_sha256(path):
    return sha256_file(path) if os.path.isfile(path) else None
