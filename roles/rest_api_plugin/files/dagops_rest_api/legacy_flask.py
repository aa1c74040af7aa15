"""The old REST API plugin's contract on Airflow 2 (Flask): GET and POST at /admin/rest_api/api (the
old plugin's path) and /rest_api/api, authenticated by legacy_auth, answered by legacy_calls."""
from flask import Blueprint, jsonify, request

from dagops_rest_api.errors import ApiError
from dagops_rest_api.flask_app import serve_api_clients
from dagops_rest_api.legacy import FILE_FIELD
from dagops_rest_api.legacy_auth import LegacyAuthError
from dagops_rest_api.legacy_auth_flask import authenticate
from dagops_rest_api.legacy_calls import LegacyRequest, answer_call
from dagops_rest_api.legacy_envelope import Envelope
from dagops_rest_api.runtime import make_service

LEGACY_PATHS = ("/admin/rest_api/api", "/rest_api/api")
blueprint = Blueprint("dagops_rest_api_legacy", __name__)


serve_api_clients(blueprint)


def reply(status, body):
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Airflow"'
    return response


def legacy_api():
    post_arguments = dict(request.form.items())
    upload = request.files.get(FILE_FIELD)
    if upload is not None:
        post_arguments[FILE_FIELD] = upload.filename
    envelope = Envelope(request.args.to_dict(), post_arguments)
    try:
        caller = authenticate()
        service = make_service()
        # Form fields are small; the file is checked against the limit before it is read whole.
        service.check_size((request.content_length or 0) - 65536)
    except LegacyAuthError as error:
        return reply(*envelope.answer(error.status, error.message))
    except ApiError as error:
        return reply(*envelope.answer(error.status, error.detail))
    data = None if upload is None else (upload.filename, upload.stream.read(service.settings.max_file_size + 1))
    flags = dict(request.args.to_dict(), **request.form.to_dict())
    call = LegacyRequest(api=flags.get("api", ""), args=flags, upload=data, caller=caller)
    return reply(*answer_call(service, envelope, call))


for path in LEGACY_PATHS:
    blueprint.add_url_rule(path, endpoint=path.strip("/").replace("/", "_"), view_func=legacy_api,
                           methods=["GET", "POST"])
