"""The plugin on Airflow 2: a Flask blueprint served by the webserver under /rest_api."""
import logging

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import PathConverter

from dagops_rest_api import URL_PREFIX
from dagops_rest_api.auth_airflow2 import authenticated_user, require_admin
from dagops_rest_api.errors import ApiError
from dagops_rest_api.runtime import make_service
from dagops_rest_api.shared_secret import check_shared_secret

log = logging.getLogger(__name__)
blueprint = Blueprint("dagops_rest_api", __name__, url_prefix=URL_PREFIX)


class AnyPathConverter(PathConverter):
    """Like `path`, but also matches a leading `/`, so an absolute path reaches the path rules and
    gets a clear 400 instead of a 404."""

    regex = ".*"


@blueprint.record_once
def _on_register(state):
    # Only this blueprint is exempt from CSRF: its callers are API clients (Basic auth, tokens).
    # WTF_CSRF_ENABLED stays on for the rest of the webserver.
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(blueprint)
    state.app.url_map.converters.setdefault("dagops_anypath", AnyPathConverter)


def answer(status, body):
    response = jsonify(body)
    response.status_code = status
    return response


@blueprint.errorhandler(ApiError)
def _api_error(error):
    response = answer(error.status, error.body())
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Airflow"'
    return response


@blueprint.errorhandler(Exception)
def _unexpected(error):
    if isinstance(error, HTTPException):
        return error
    log.exception("dagops_rest_api: %s %s failed", request.method, request.path)
    return answer(500, {"detail": f"internal error ({type(error).__name__}); see the webserver log"})


@blueprint.before_request
def _only_admins():
    user = authenticated_user()
    service = make_service()
    check_shared_secret(service.settings, request.headers.get)
    require_admin(user)


@blueprint.route("/v1/version", methods=["GET"])
def version():
    return answer(*make_service().version())


@blueprint.route("/v1/dag-files", methods=["GET"])
def list_dag_files():
    return answer(*make_service().list_files(request.args.get("prefix", "")))


def read_limited_body(service):
    """The request body, or 413 as soon as it is known to exceed the limit (never read it all)."""
    service.check_size(request.content_length)
    data = request.stream.read(service.settings.max_file_size + 1)
    service.check_size(len(data))
    return data


@blueprint.route("/v1/dag-files/batch", methods=["POST"])
def dag_files_batch():
    service = make_service()
    service.check_batch_size(request.content_length)
    archive = request.stream.read(service.settings.max_batch_size + 1)
    return answer(*service.batch(archive))


@blueprint.route("/v1/dag-files/rollback", methods=["POST"])
def dag_files_rollback():
    dry_run = request.args.get("dry_run", "").lower() in ("1", "true", "yes")
    return answer(*make_service().rollback(dry_run=dry_run))


@blueprint.route("/v1/dag-files/<dagops_anypath:file_path>", methods=["PUT", "DELETE"], merge_slashes=False)
def dag_file(file_path):
    service = make_service()
    if request.method == "DELETE":
        return answer(*service.delete_file(file_path))
    return answer(*service.put_file(file_path, read_limited_body(service)))


@blueprint.route("/v1/secrets/fingerprint", methods=["POST"])
def fingerprint():
    return answer(*make_service().fingerprint(request.get_json(force=True, silent=True)))


# --- Airflow 1.10's experimental API (docs/experimental_api.md) at /api/experimental ---------------
experimental_blueprint = Blueprint("dagops_rest_api_experimental", __name__, url_prefix="/api/experimental")


@experimental_blueprint.record_once
def _on_register_experimental(state):
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(experimental_blueprint)
    state.app.url_map.converters.setdefault("dagops_anypath", AnyPathConverter)


@experimental_blueprint.errorhandler(ApiError)
def _experimental_refused(error):
    response = answer(error.status, {"error": error.detail})
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Airflow"'
    return response


@experimental_blueprint.errorhandler(Exception)
def _experimental_unexpected(error):
    if isinstance(error, HTTPException):
        return answer(error.code or 500, {"error": error.description})
    log.exception("dagops_rest_api: %s %s failed", request.method, request.path)
    return answer(500, {"error": f"internal error ({type(error).__name__}); see the webserver log"})


@experimental_blueprint.route("/", defaults={"path": ""}, methods=["GET", "POST", "DELETE", "PUT", "PATCH"],
                              merge_slashes=False)
@experimental_blueprint.route("/<dagops_anypath:path>", methods=["GET", "POST", "DELETE", "PUT", "PATCH"],
                              merge_slashes=False)
def experimental(path):
    from dagops_rest_api.experimental import ExperimentalApi

    user = authenticated_user()
    check_shared_secret(make_service().settings, request.headers.get)
    require_admin(user)
    body = request.get_data(cache=False) if request.method in ("POST", "PUT", "PATCH") else b""
    status, body = ExperimentalApi().handle(request.method, path, request.args.to_dict(), body,
                                            getattr(user, "username", None))
    if isinstance(body, str):
        return Response(body, status=status, mimetype="text/plain")
    return answer(status, body)
