"""Reading, listing, writing and deleting DAG files: plain file system work, no Airflow."""
import hashlib
import os
import tempfile

from dagops_rest_api.paths import is_dag_file_name, is_inside, is_skipped_name, relative_path

CHUNK = 1024 * 1024


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe(root, absolute):
    """The listing entry of one file (without dag_ids)."""
    stat = os.stat(absolute)
    return {"path": relative_path(root, absolute), "sha256": sha256_file(absolute), "size": stat.st_size,
            "mtime": stat.st_mtime}


def walk_dag_files(root, start):
    """Absolute paths of DAG files under `start` (inside real `root`), sorted; hidden files,
    __pycache__ and symlinks that leave `root` skipped, symlink loops followed once."""
    found, seen = [], set()
    for directory, subdirs, names in os.walk(start, followlinks=True):
        real = os.path.realpath(directory)
        if real in seen or not is_inside(root, real):
            subdirs[:] = []
            continue
        seen.add(real)
        subdirs[:] = sorted(d for d in subdirs if not is_skipped_name(d))
        for name in sorted(names):
            absolute = os.path.join(directory, name)
            if (not is_skipped_name(name) and is_dag_file_name(name) and os.path.isfile(absolute)
                    and is_inside(root, os.path.realpath(absolute))):
                found.append(absolute)
    return found


def atomic_write(target, data):
    """Write through a hidden temporary file in the target's directory, fsync, then rename over it,
    so the DAG processor never reads half a file."""
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".dagops-upload-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; other Airflow users must read it
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    fsync_directory(directory)


def fsync_directory(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the rename is done either way
    finally:
        os.close(fd)
