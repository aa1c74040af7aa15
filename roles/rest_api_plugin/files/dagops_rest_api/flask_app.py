"""The plugin on Airflow 2: a Flask blueprint served by the webserver under /rest_api."""
import logging

from flask import Blueprint, jsonify, request
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


def serve_api_clients(api_blueprint):
    """Exempt a blueprint of the plugin from CSRF when Flask registers it: its callers are API clients
    (curl with Basic auth or a token, posting JSON or forms without a CSRF token). WTF_CSRF_ENABLED
    stays on for the rest of the webserver. Also registers the converter its paths may use."""

    @api_blueprint.record_once
    def _on_register(state):
        csrf = state.app.extensions.get("csrf")
        if csrf is not None:
            csrf.exempt(api_blueprint)
        state.app.url_map.converters.setdefault("dagops_anypath", AnyPathConverter)


serve_api_clients(blueprint)


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
