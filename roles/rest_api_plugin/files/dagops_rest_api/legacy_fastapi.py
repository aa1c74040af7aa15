"""The old REST API plugin's contract on Airflow 3 (FastAPI): GET and POST `/api` of the plugin's
app (/rest_api/api) and of an app mounted at /admin/rest_api (the old plugin's path),
authenticated by legacy_auth, answered by legacy_calls."""
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from dagops_rest_api import PLUGIN_NAME, PLUGIN_VERSION
from dagops_rest_api.errors import ApiError
from dagops_rest_api.legacy import FILE_FIELD
from dagops_rest_api.legacy_auth import LegacyAuthError
from dagops_rest_api.legacy_auth_fastapi import authenticate
from dagops_rest_api.legacy_calls import LegacyRequest, answer_call
from dagops_rest_api.legacy_envelope import Envelope
from dagops_rest_api.runtime import make_service

ADMIN_PREFIX = "/admin/rest_api"


def reply(status, body):
    headers = {"WWW-Authenticate": 'Basic realm="Airflow"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def content_length(request):
    try:
        return int(request.headers.get("content-length", ""))
    except ValueError:
        return None


async def legacy_api(request: Request):
    form = await request.form() if request.method == "POST" else {}
    args, post_arguments, upload_field = dict(request.query_params), {}, None
    for key, value in form.items():
        if key == FILE_FIELD and hasattr(value, "read"):
            post_arguments[key], upload_field = value.filename, value
        else:
            post_arguments[key] = args[key] = str(value)
    envelope = Envelope(dict(request.query_params), post_arguments)
    try:
        caller = await authenticate(request)
        service = make_service()
        service.check_size((content_length(request) or 0) - 65536)
    except LegacyAuthError as error:
        return reply(*envelope.answer(error.status, error.message))
    except ApiError as error:
        return reply(*envelope.answer(error.status, error.detail))
    upload = None
    if upload_field is not None:
        upload = (upload_field.filename, await upload_field.read(service.settings.max_file_size + 1))
    call = LegacyRequest(api=args.get("api", ""), args=args, upload=upload, caller=caller)
    return reply(*await run_in_threadpool(answer_call, service, envelope, call))


def add_legacy_route(app):
    app.add_api_route("/api", legacy_api, methods=["GET", "POST"])


def create_admin_app():
    """The app for /admin/rest_api: the old plugin's path, nothing else."""
    app = FastAPI(title=f"{PLUGIN_NAME} legacy REST API plugin contract", version=PLUGIN_VERSION, docs_url=None,
                  redoc_url=None, openapi_url=None)
    add_legacy_route(app)
    return app
