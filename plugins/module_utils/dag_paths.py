# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""The DAG-file path rules, defined once (docs/rest_api_plugin.md, "DAG-file path rules"): which
files are DAG files, which names a directory walk skips, which paths may name a file under the dags
folder. Used by airflow_deploy_dag (module and action plugin) and, through its unit tests, checked
against the REST plugin's own copy (roles/rest_api_plugin/files/dagops_rest_api/paths.py), which
cannot import Ansible code."""

from __future__ import annotations

import re

DAG_FILE_SUFFIXES = (".py", ".zip")
SKIPPED_DIR_NAMES = ("__pycache__",)


def is_skipped_name(name):
    """A file or directory name that a walk of DAG files never enters or returns: hidden ones
    (Airflow's processor and git leave them alone) and __pycache__."""
    return name.startswith(".") or name in SKIPPED_DIR_NAMES


def is_dag_file_name(path):
    return path.endswith(DAG_FILE_SUFFIXES)


def path_problem(path, what="dest"):
    """Why ``path`` cannot name a place under the dags folder, or None. Symlinks are for the server
    to check (only it sees them)."""
    if not path:
        return "%s is empty" % what
    if "\x00" in path:
        return "%s must not contain a NUL byte, got %r" % (what, path)
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return "%s must be relative to the dags folder, got the absolute path %r" % (what, path)
    if "\\" in path:
        return "%s must use / between directories, got %r" % (what, path)
    for segment in path.split("/"):
        if segment in ("", ".", ".."):
            return "%s must be a normalised relative path (no empty, '.' or '..' parts), got %r" % (what, path)
        if segment.startswith("."):
            return "%s must not name hidden files or directories (Airflow skips them), got %r" % (what, path)
        if segment in SKIPPED_DIR_NAMES:
            return "%s must not be inside __pycache__ (Python's byte-code cache), got %r" % (what, path)
    return None


def dag_file_problem(path, what="the target path"):
    """Why ``path`` cannot be a DAG file to deploy (or to delete with exclusive), or None."""
    problem = path_problem(path, what)
    if problem:
        return problem
    if not is_dag_file_name(path):
        return "only %s files can be deployed, got %r" % (" and ".join(DAG_FILE_SUFFIXES), path)
    return None
