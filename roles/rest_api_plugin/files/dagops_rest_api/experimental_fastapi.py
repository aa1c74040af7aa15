"""Airflow 1.10's experimental API on Airflow 3 (FastAPI): an app mounted at /api/experimental that
authenticates the caller (legacy_auth: JWT, Basic, the token) and hands the request to
experimental.ExperimentalApi."""
import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from dagops_rest_api import PLUGIN_NAME, PLUGIN_VERSION
from dagops_rest_api.experimental import ExperimentalApi
from dagops_rest_api.legacy_auth import LegacyAuthError
from dagops_rest_api.legacy_auth_fastapi import authenticate

log = logging.getLogger(__name__)
METHODS = ["GET", "POST", "DELETE", "PUT", "PATCH"]  # the ones it has no route for answer 405 there


def refusal(status, message):
    headers = {"WWW-Authenticate": 'Basic realm="Airflow"'} if status == 401 else None
    return JSONResponse({"error": message}, status_code=status, headers=headers)


def create_experimental_app():
    app = FastAPI(title=f"{PLUGIN_NAME} experimental API", version=PLUGIN_VERSION, docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.exception_handler(Exception)
    async def _unexpected(request, error):
        log.exception("dagops_rest_api: %s %s failed", request.method, request.url.path)
        return refusal(500, f"internal error ({type(error).__name__}); see the api-server log")

    @app.api_route("/{path:path}", methods=METHODS)
    async def experimental(path: str, request: Request):
        try:
            caller = await authenticate(request)
        except LegacyAuthError as error:
            return refusal(error.status, error.message)
        body = await request.body() if request.method in ("POST", "PUT", "PATCH") else b""
        status, answer = await run_in_threadpool(ExperimentalApi().handle, request.method, path,
                                                 dict(request.query_params), body, caller.name or None)
        if isinstance(answer, str):
            return PlainTextResponse(answer, status_code=status)
        return JSONResponse(answer, status_code=status)

    return app
