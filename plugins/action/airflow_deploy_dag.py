# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Reads airflow_deploy_dag's ``src`` on the controller (as ansible.builtin.copy does) and hands
the files to the module; keeps their contents out of the result the module echoes back."""

from __future__ import annotations

import base64
import hashlib
import os

from ansible.errors import AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.action import ActionBase
from ansible_collections.dagops.airflow.plugins.module_utils.dag_paths import is_dag_file_name, is_skipped_name


def collect_dag_files(root):
    """[(relative path with '/', absolute path)] of every .py and .zip file under ``root``,
    recursively, sorted; hidden files and directories and __pycache__ are skipped, symlinked
    directories are not entered (os.walk's default), symlinked files count as their target."""
    found = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if not is_skipped_name(d))
        for name in names:
            if is_skipped_name(name) or not is_dag_file_name(name):
                continue
            full = os.path.join(directory, name)
            if not os.path.isfile(full):
                continue  # a dangling symlink, a socket
            relative = os.path.relpath(full, root).replace(os.sep, "/")
            found.append((relative, full))
    return sorted(found)


def file_entry(relative, data):
    return {"path": relative, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
            "content": base64.b64encode(data).decode("ascii")}


def without_contents(module_args, content_given=False):
    """The module's arguments as the result may show them: paths, sizes and SHA-256, no content.
    ``content_given``: the task set ``content`` (handed over in ``_files``), shown as ``(not shown)``."""
    shown = dict(module_args)
    if shown.get("_files") is not None:
        shown["_files"] = [dict((k, v) for k, v in entry.items() if k != "content") for entry in shown["_files"]]
    if content_given or shown.get("content") is not None:
        shown["content"] = "(not shown)"
    return shown


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _VALID_ARGS = None  # the module checks its own arguments

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # tmp no longer has any effect
        args = dict(self._task.args)
        content_given = args.get("content") is not None
        try:
            self._read_source(args)
        except (AnsibleError, OSError) as err:
            result.update(failed=True, msg=to_text(err))
            return result
        result.update(self._execute_module(module_name="dagops.airflow.airflow_deploy_dag", module_args=args,
                                           task_vars=task_vars))
        invocation = result.get("invocation")
        if isinstance(invocation, dict) and isinstance(invocation.get("module_args"), dict):
            invocation["module_args"] = without_contents(invocation["module_args"], content_given)
        return result

    def _read_source(self, args):
        """Replace ``src`` (or ``content``) by the files, read here on the controller."""
        if args.get("src") is not None and args.get("content") is not None:
            raise AnsibleError("src and content are mutually exclusive")
        if args.get("content") is not None:
            content = args.pop("content")
            if not isinstance(content, str):
                raise AnsibleError("content must be a string (the file's text); got %s" % type(content).__name__)
            args["_files"] = [file_entry("", content.encode("utf-8"))]
            args["_src_type"] = "content"
            return
        src = args.get("src")
        if src is None:
            return
        try:
            found = self._find_needle("files", src)
        except AnsibleFileNotFound as err:
            raise AnsibleError("src %s was not found on the controller: %s" % (src, to_text(err)))
        if os.path.isdir(found):
            args["_files"] = [file_entry(relative, self._read(full)) for relative, full in collect_dag_files(found)]
            args["_src_type"] = "directory"
        else:
            args["_files"] = [file_entry(os.path.basename(found), self._read(found))]
            args["_src_type"] = "file"

    def _read(self, path):
        """The file's bytes, decrypted when it is vaulted (as copy does)."""
        real = self._loader.get_real_file(path, decrypt=True)
        try:
            with open(real, "rb") as handle:
                return handle.read()
        finally:
            self._loader.cleanup_tmp_file(real)
