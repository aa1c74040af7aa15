"""Run as a script by validation.py with the server's Python:

    python validate_child.py COPY RESULT_JSON DAGS_FOLDER PLUGINS_FOLDER

Imports COPY (a private copy of the uploaded file) as the DAG processor would and writes
{"dag_ids": [...], "import_errors": [...]} to RESULT_JSON. Stdlib plus Airflow only.
"""
import inspect
import json
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


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
