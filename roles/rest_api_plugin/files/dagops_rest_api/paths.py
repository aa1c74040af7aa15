"""Which paths under the dags folder the plugin may read, write or delete. The rules are defined in
the collection's plugins/module_utils/dag_paths.py; this is the plugin's copy (it never imports
Ansible code), held equal to it by tests/unit/rest_api_plugin/test_path_rules_shared.py."""
import os

from dagops_rest_api.errors import ApiError

DAG_FILE_SUFFIXES = (".py", ".zip")
SKIPPED_DIR_NAMES = ("__pycache__",)


def is_skipped_name(name):
    """Hidden files and directories and __pycache__: never listed, written or deleted."""
    return name.startswith(".") or name in SKIPPED_DIR_NAMES


def is_dag_file_name(path):
    return path.endswith(DAG_FILE_SUFFIXES)


def path_segments(path, what="path"):
    """The segments of a relative, normalised, `/`-separated path without hidden parts, or 400."""
    if not path:
        raise ApiError(400, f"the {what} is empty")
    if "\x00" in path or "\\" in path:
        raise ApiError(400, f"the {what} {path!r} contains a NUL byte or a backslash")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise ApiError(400, f"the {what} {path!r} must be relative to the dags folder")
    segments = path.split("/")
    for segment in segments:
        if segment in ("", ".", ".."):
            raise ApiError(400, f"the {what} {path!r} must be normalised (no empty, '.' or '..' segment)")
        if segment.startswith("."):
            raise ApiError(400, f"the {what} {path!r} has a hidden segment {segment!r}")
        if segment == "__pycache__":
            raise ApiError(400, f"the {what} {path!r} is inside __pycache__")
    return segments


def check_suffix(path):
    if not path.endswith(DAG_FILE_SUFFIXES):
        raise ApiError(400, f"the path {path!r} must end in {' or '.join(DAG_FILE_SUFFIXES)}")


def is_inside(root, candidate):
    """Both real (symlink-free) absolute paths: is `candidate` `root` or below it?"""
    return os.path.commonpath([root, candidate]) == root


def dag_file_target(dags_folder, path):
    """The absolute path for the DAG file `path`, or 400 when the path breaks a rule.

    A symlink in the path must stay inside the folder; the file itself may not be a symlink, so a
    write never goes through it to another file.
    """
    segments = path_segments(path)
    check_suffix(path)
    root = os.path.realpath(dags_folder)
    target = os.path.join(root, *segments)
    if not is_inside(root, os.path.realpath(target)):
        raise ApiError(400, f"the path {path!r} leaves the dags folder through a symlink")
    if os.path.islink(target):
        raise ApiError(400, f"the path {path!r} is a symlink; replace or delete the link itself on the host")
    return target


def prefix_directory(dags_folder, prefix):
    """The absolute directory a listing `prefix` (like `sub/` or `sub`) names, or 400."""
    root = os.path.realpath(dags_folder)
    if not prefix:
        return root
    segments = path_segments(prefix.rstrip("/"), "prefix")
    directory = os.path.join(root, *segments)
    if not is_inside(root, os.path.realpath(directory)):
        raise ApiError(400, f"the prefix {prefix!r} leaves the dags folder through a symlink")
    return directory


def relative_path(root, absolute):
    return os.path.relpath(absolute, root).replace(os.sep, "/")
