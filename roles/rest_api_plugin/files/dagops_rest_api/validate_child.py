"""Run as a script by validation.py with the server's Python:

    python validate_child.py COPY RESULT_JSON DAGS_FOLDER PLUGINS_FOLDER

Imports COPY (a private copy of the uploaded file) as the DAG processor would and writes
{"dag_ids": [...], "import_errors": [...]} to RESULT_JSON.

    python validate_child.py --tree TREE PATHS_JSON RESULT_JSON PLUGINS_FOLDER

Imports the files PATHS_JSON lists (relative to TREE, a staged copy of the whole new dags folder)
with one DagBag, TREE and the plugins folder on sys.path, skipping the files the tree's
.airflowignore hides; writes {"dag_ids": {path: [...]}, "import_errors": {path: text},
"ignored": [paths]} to RESULT_JSON. Stdlib plus Airflow only.
"""
import inspect
import json
import os
import sys
import traceback


def load_dagbag_class():
    try:
        from airflow.dag_processing.dagbag import DagBag  # Airflow 3 pylint: disable=import-outside-toplevel
    except ImportError:
        from airflow.models.dagbag import DagBag  # Airflow 2 pylint: disable=import-outside-toplevel
    return DagBag


def collect(copy):
    dagbag_class = load_dagbag_class()
    accepted = inspect.signature(dagbag_class.__init__).parameters
    options = {"dag_folder": copy, "safe_mode": False}
    if "include_examples" in accepted:
        options["include_examples"] = False
    dagbag = dagbag_class(**options)
    return sorted(dagbag.dags), [str(text) for text in dagbag.import_errors.values()]


def main(copy, result_file, dags_folder, plugins_folder):
    # As the DAG processor has them: modules next to the DAGs and in the plugins folder import.
    for folder in (plugins_folder, dags_folder):
        if folder and folder not in sys.path:
            sys.path.insert(0, folder)
    result = {"dag_ids": [], "import_errors": []}
    try:
        if copy.endswith(".py"):
            with open(copy, "rb") as stream:
                compile(stream.read(), copy, "exec")
        result["dag_ids"], result["import_errors"] = collect(copy)
    except SyntaxError:
        result["import_errors"] = [traceback.format_exc(limit=0)]
    except Exception:  # pylint: disable=broad-except
        result["import_errors"] = [traceback.format_exc()]
    with open(result_file, "w", encoding="utf-8") as stream:
        json.dump(result, stream)
    return 0


def listed_by_airflow(tree):
    """The real paths of the files Airflow's processor would list in `tree` (.airflowignore read)."""
    from airflow.utils.file import list_py_file_paths  # pylint: disable=import-outside-toplevel

    options = {"safe_mode": False}
    if "include_examples" in inspect.signature(list_py_file_paths).parameters:
        options["include_examples"] = False
    return set(os.path.realpath(path) for path in list_py_file_paths(tree, **options))


def tree_dagbag(tree, empty):
    dagbag_class = load_dagbag_class()
    accepted = inspect.signature(dagbag_class.__init__).parameters
    options = {"dag_folder": empty, "safe_mode": False}
    for name, value in (("include_examples", False), ("collect_dags", False), ("bundle_path", tree),
                        ("load_op_links", False)):
        if name in accepted:
            options[name] = value
    return dagbag_class(**options)


def owner_of(key, tree, paths):
    """The validated path an import error's key (absolute, or relative to the tree) belongs to."""
    relative = os.path.relpath(key, tree) if os.path.isabs(key) else key
    relative = relative.replace(os.sep, "/")
    for path in paths:
        if relative == path or relative.startswith(path + "/"):  # a module inside a zip
            return path
    return relative


def validate_tree(tree, paths_file, result_file, plugins_folder):
    with open(paths_file, encoding="utf-8") as stream:
        paths = json.load(stream)
    for folder in (plugins_folder, tree):
        if folder and folder not in sys.path:
            sys.path.insert(0, folder)
    result = {"dag_ids": {}, "import_errors": {}, "ignored": []}
    try:
        listed = listed_by_airflow(tree)
        empty = os.path.join(os.path.dirname(result_file), "empty")
        os.makedirs(empty, exist_ok=True)
        dagbag = tree_dagbag(tree, empty)
        for path in paths:
            absolute = os.path.join(tree, *path.split("/"))
            if os.path.realpath(absolute) not in listed:
                result["ignored"].append(path)
                continue
            if path.endswith(".py"):
                try:
                    with open(absolute, "rb") as stream:
                        compile(stream.read(), path, "exec")
                except SyntaxError:
                    result["import_errors"][path] = traceback.format_exc(limit=0)
                    continue
            found = dagbag.process_file(absolute, only_if_updated=False, safe_mode=False) or []
            result["dag_ids"][path] = sorted(dag.dag_id for dag in found)
        for key, text in dagbag.import_errors.items():
            owner = owner_of(str(key), tree, paths)
            result["import_errors"][owner] = "\n".join(filter(None, [result["import_errors"].get(owner), str(text)]))
    except Exception:  # pylint: disable=broad-except
        text = traceback.format_exc()
        for path in paths:
            result["import_errors"].setdefault(path, text)
    with open(result_file, "w", encoding="utf-8") as stream:
        json.dump(result, stream)
    return 0


def run(argv):
    """The exit status of one validation with the script's arguments (also validate_server.py's children)."""
    if argv[:1] == ["--tree"]:
        return validate_tree(*argv[1:5])
    return main(*argv[0:4])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
