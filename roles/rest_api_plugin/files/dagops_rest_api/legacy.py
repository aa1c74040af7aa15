"""The old REST API plugin's `api=deploy_dag` call and its JSON envelope."""
import os

from dagops_rest_api.errors import ApiError
from dagops_rest_api.legacy_envelope import is_set
from dagops_rest_api.paths import dag_file_target
from dagops_rest_api.validation import first_line

SUPPORTED_APIS = ("deploy_dag",)
FILE_FIELD = "dag_file"
PAUSE_WAIT_SECONDS = 30


def deploy_dag(service, envelope, api, flags, upload):
    """(status, envelope body). `upload` is (file name, bytes) or None; `flags` the form and query."""
    if api not in SUPPORTED_APIS:
        return envelope.answer(400, f"unsupported api {api!r}: this plugin serves api=deploy_dag only")
    if upload is None:
        return envelope.answer(400, f"missing the multipart file field {FILE_FIELD!r}")
    filename, data = upload
    name = os.path.basename((filename or "").replace("\\", "/"))
    if not name.endswith(".py"):
        return envelope.answer(400, f"the file {name!r} must be a .py file")
    try:
        target = dag_file_target(service.root, name)
        service.check_size(len(data))
    except ApiError as error:
        return envelope.answer(error.status, error.detail)
    if os.path.exists(target) and not is_set(flags, "force"):
        return envelope.answer(400, f"the file {name} already exists in the dags folder; "
                                    "send force=on to replace it")
    try:
        _status, result = service.put_file(name, data)
    except ApiError as error:
        text = "\n".join(error.extra.get("import_errors", {}).values()) or error.detail
        code = 400 if error.status == 422 else error.status
        return envelope.answer(code, f"the DAG file {name} failed to import: {first_line(text)}\n{text}")
    apply_pause(service, envelope, flags, name, result["dag_ids"])
    return envelope.answer(200, f"DAG file {name} deployed to {target} (dags: {', '.join(result['dag_ids'])};"
                                f" {'changed' if result['changed'] else 'unchanged'})")


def apply_pause(service, envelope, flags, name, dag_ids):
    wanted = True if is_set(flags, "pause") else False if is_set(flags, "unpause") else None
    if wanted is None or not dag_ids:
        return
    if not service.wait_for_dags(name, dag_ids, PAUSE_WAIT_SECONDS):
        envelope.warnings.append(f"the DAGs {', '.join(dag_ids)} did not appear in the metadata database "
                                 f"within {PAUSE_WAIT_SECONDS} s, so they were not "
                                 f"{'paused' if wanted else 'unpaused'}")
        return
    service.store.set_paused(dag_ids, wanted)
