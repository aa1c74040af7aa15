"""A batch request (docs/rest_api_plugin.md, `POST rest_api/v1/dag-files/batch`): a tar archive of the
files to add or change, with `dagops-batch.json` naming the paths to remove. Read into memory
(the archive is already bounded by max_batch_size), checked member by member."""
import io
import json
import tarfile
from collections import namedtuple

from dagops_rest_api.errors import ApiError
from dagops_rest_api.paths import check_suffix, path_segments

MANIFEST = "dagops-batch.json"

BatchRequest = namedtuple("BatchRequest", "files remove")  # {path: bytes}, [paths]


def check_batch_size(size, settings):
    if size is not None and size > settings.max_batch_size:
        raise ApiError(413, f"the batch has {size} bytes, more than [rest_api_plugin] max_batch_size "
                            f"({settings.max_batch_size})")


def check_dag_path(path):
    path_segments(path)
    check_suffix(path)


def parse_batch(archive, settings):
    """A BatchRequest from the archive's bytes, or ApiError (400 bad member or path, 413 too big)."""
    check_batch_size(len(archive), settings)
    files, remove = {}, None
    try:
        with tarfile.open(fileobj=io.BytesIO(archive), mode="r:*") as tar:
            for member in tar:
                name = member.name[2:] if member.name.startswith("./") else member.name
                if member.isdir():
                    continue
                if name == MANIFEST and member.isfile():
                    remove = _manifest_removals(tar.extractfile(member).read(settings.max_file_size + 1))
                    continue
                if not member.isfile():
                    raise ApiError(400, f"the batch member {name!r} is not a regular file (a symlink, a hard "
                                        "link or a device); send the file's bytes")
                check_dag_path(name)
                if member.size > settings.max_file_size:
                    raise ApiError(413, f"the file {name!r} has {member.size} bytes, more than [rest_api_plugin] "
                                        f"max_file_size ({settings.max_file_size})")
                if name in files:
                    raise ApiError(400, f"the path {name!r} is twice in the batch")
                files[name] = tar.extractfile(member).read()
    except (tarfile.TarError, EOFError, OSError) as error:
        raise ApiError(400, f"the batch is not a readable tar archive: {error}") from None
    remove = remove or []
    both = sorted(set(files) & set(remove))
    if both:
        raise ApiError(400, f"the batch both writes and removes {', '.join(both)}")
    return BatchRequest(files, remove)


def _manifest_removals(data):
    try:
        manifest = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, f"{MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or set(manifest) - {"remove"}:
        raise ApiError(400, f"{MANIFEST} must be an object with the one key 'remove'")
    remove = manifest.get("remove") or []
    if not isinstance(remove, list) or not all(isinstance(path, str) for path in remove):
        raise ApiError(400, f"{MANIFEST} 'remove' must be a list of paths")
    for path in remove:
        check_dag_path(path)
    if len(set(remove)) != len(remove):
        raise ApiError(400, f"{MANIFEST} names a path to remove twice")
    return remove


def build_batch(files, remove=()):
    """The archive a client sends (used by the unit tests; the module builds the same)."""
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as tar:
        members = [(MANIFEST, json.dumps({"remove": list(remove)}).encode("utf-8"))] + sorted(files.items())
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return stream.getvalue()
