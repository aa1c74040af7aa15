"""The old plugin's `variables` call, in-process through Airflow's Variable model (its secrets
backends included for get): cmd=set&key&value, get (with json, default), import, export, delete,
and nothing: the keys. Several in one call run in that order, as the 1.x CLI did."""
# pylint: disable=import-outside-toplevel
import json
import os

from dagops_rest_api.files import atomic_write
from dagops_rest_api.legacy_calls import LegacyCallError, handler, optional
from dagops_rest_api.legacy_envelope import is_set
from dagops_rest_api.legacy_subdir import inside_dags_folder

MISSING = object()


def _session():
    from airflow.utils.session import create_session

    return create_session()


def variable_keys():
    from airflow.models.variable import Variable
    from sqlalchemy import select

    with _session() as session:
        return list(session.scalars(select(Variable.key).order_by(Variable.key)))


def set_variable(key, value):
    from airflow.models.variable import Variable

    Variable.set(key, value)
    return f"Variable {key} created"


def get_variable(args, key):
    from airflow.models.variable import Variable

    as_json = is_set(args, "json")
    default = args.get("default", MISSING)
    try:
        value = Variable.get(key, deserialize_json=as_json)
    except KeyError:
        if default is MISSING:
            raise LegacyCallError(400, f"Variable {key} does not exist") from None
        return str(default)
    except ValueError as error:
        raise LegacyCallError(400, f"Variable {key} is not JSON: {error}") from None
    return json.dumps(value, indent=2) if as_json else str(value)


def delete_variable(key):
    from airflow.models.variable import Variable

    if key not in variable_keys():
        raise LegacyCallError(400, f"Variable {key} does not exist")
    Variable.delete(key)
    return f"Variable {key} deleted"


def import_variables(service, path_text):
    path = inside_dags_folder(service, path_text, "import")
    try:
        with open(path, encoding="utf-8") as handle:
            values = json.load(handle)
    except (OSError, ValueError) as error:
        raise LegacyCallError(400, f"cannot import variables from {path_text}: {error}") from None
    if not isinstance(values, dict):
        raise LegacyCallError(400, f"{path_text} must hold a JSON object of variables")
    from airflow.models.variable import Variable

    for key, value in values.items():
        Variable.set(key, value, serialize_json=not isinstance(value, str))
    return f"{len(values)} of {len(values)} variables successfully updated."


def export_variables(service, path_text):
    from airflow.models.variable import Variable
    from sqlalchemy import select

    path = inside_dags_folder(service, path_text, "export")
    if not path.endswith(".json"):
        raise LegacyCallError(400, f"export: {path_text!r} must end in .json (the dags folder holds only DAG "
                                   "files and data Airflow does not parse)")
    exported = {}
    with _session() as session:
        for variable in session.scalars(select(Variable).order_by(Variable.key)):
            try:
                exported[variable.key] = json.loads(variable.val)
            except (TypeError, ValueError):
                exported[variable.key] = variable.val
    os.makedirs(os.path.dirname(path), exist_ok=True)
    atomic_write(path, json.dumps(exported, indent=4, sort_keys=True).encode("utf-8"))
    return f"{len(exported)} variables successfully exported to {path}"


@handler("variables")
def variables(service, envelope, call):
    args, outputs, commands = call.args, [], []
    if optional(args, "cmd") not in (None, "set"):
        raise LegacyCallError(400, f"api=variables: cmd must be 'set', not {args.get('cmd')!r}")
    if optional(args, "cmd") == "set":
        key = optional(args, "key")
        if key is None or "value" not in args:
            raise LegacyCallError(400, "api=variables&cmd=set needs key and value")
        commands.append(f"airflow variables set {key} {args['value']}")
        outputs.append(set_variable(key, str(args["value"])))
    steps = (("import", "import", lambda value: import_variables(service, value)),
             ("get", "get", lambda value: get_variable(args, value)),
             ("export", "export", lambda value: export_variables(service, value)),
             ("delete", "delete", delete_variable))
    for name, verb, step in steps:
        if optional(args, name):
            commands.append(f"airflow variables {verb} {args[name]}")
            outputs.append(step(args[name]))
    if not commands:
        commands.append("airflow variables list")
        outputs.append("\n".join(variable_keys()))
    envelope.airflow_cmd = " && ".join(commands)
    return "\n".join(outputs)
