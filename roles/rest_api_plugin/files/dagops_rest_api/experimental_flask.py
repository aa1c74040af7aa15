"""Airflow 1.10's experimental API on Airflow 2.11 (Flask): a blueprint at /api/experimental that
authenticates the caller (legacy_auth: Basic, the session, the token) and hands the request to
experimental.ExperimentalApi. Airflow's own experimental API must stay off
(`[api] enable_experimental_api = False`, the default): it would serve the same paths."""
import logging

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from dagops_rest_api.experimental import URL_PREFIX, ExperimentalApi
from dagops_rest_api.flask_app import serve_api_clients
from dagops_rest_api.legacy_auth import LegacyAuthError
from dagops_rest_api.legacy_auth_flask import authenticate

log = logging.getLogger(__name__)
METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH"]  # the ones it has no route for answer 405 there
blueprint = Blueprint("dagops_rest_api_experimental", __name__, url_prefix=URL_PREFIX)


serve_api_clients(blueprint)


def reply(status, body):
    if isinstance(body, str):  # a DAG's code
        return Response(body, status=status, mimetype="text/plain")
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Airflow"'
    return response


@blueprint.errorhandler(Exception)
def _unexpected(error):
    if isinstance(error, HTTPException):
        return reply(error.code or 500, {"error": error.description})
    log.exception("dagops_rest_api: %s %s failed", request.method, request.path)
    return reply(500, {"error": f"internal error ({type(error).__name__}); see the webserver log"})


@blueprint.route("/", defaults={"path": ""}, methods=METHODS, merge_slashes=False)
@blueprint.route("/<dagops_anypath:path>", methods=METHODS, merge_slashes=False)
def experimental(path):
    try:
        caller = authenticate()
    except LegacyAuthError as error:
        return reply(error.status, {"error": error.message})
    body = request.get_data(cache=False) if request.method in ("POST", "PUT", "PATCH") else b""
    return reply(*ExperimentalApi().handle(request.method, path, request.args.to_dict(), body, caller.name or None))
