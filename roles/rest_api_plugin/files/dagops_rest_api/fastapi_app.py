"""The plugin on Airflow 3: a FastAPI app the api-server mounts under /rest_api."""
import logging

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from dagops_rest_api import PLUGIN_NAME, PLUGIN_VERSION
from dagops_rest_api.auth_airflow3 import authenticated_user, require_admin
from dagops_rest_api.errors import ApiError
from dagops_rest_api.legacy_fastapi import add_legacy_route
from dagops_rest_api.runtime import make_service
from dagops_rest_api.shared_secret import check_shared_secret

log = logging.getLogger(__name__)


async def admin_service(request: Request):
    """The dependency of every route: an authenticated admin (and the shared secret), then the service."""
    user = await authenticated_user(request)
    service = make_service()
    check_shared_secret(service.settings, request.headers.get)
    await run_in_threadpool(require_admin, user)  # FAB reads roles from the database
    return service


async def read_limited(stream, service, batch=False):
    """The bytes of `stream`, or 413 as soon as they exceed the limit (never read it all)."""
    limit = service.settings.max_batch_size if batch else service.settings.max_file_size
    check = service.check_batch_size if batch else service.check_size
    chunks, size = [], 0
    async for chunk in stream:
        size += len(chunk)
        check(size if size <= limit else limit + 1)
        chunks.append(chunk)
    return b"".join(chunks)


def content_length(request):
    try:
        return int(request.headers.get("content-length", ""))
    except ValueError:
        return None


def create_app():
    app = FastAPI(title=f"{PLUGIN_NAME} REST plugin", version=PLUGIN_VERSION, docs_url=None, redoc_url=None,
                  openapi_url=None)

    @app.exception_handler(ApiError)
    async def _api_error(_request, error):
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return JSONResponse(error.body(), status_code=error.status, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request, error):
        log.exception("dagops_rest_api: %s %s failed", request.method, request.url.path)
        return JSONResponse({"detail": f"internal error ({type(error).__name__}); see the api-server log"},
                            status_code=500)

    @app.get("/v1/version")
    async def version(service=Depends(admin_service)):
        status, body = service.version()
        return JSONResponse(body, status_code=status)

    @app.get("/v1/dag-files")
    async def list_dag_files(prefix: str = "", service=Depends(admin_service)):
        status, body = await run_in_threadpool(service.list_files, prefix)
        return JSONResponse(body, status_code=status)

    @app.post("/v1/dag-files/batch")
    async def dag_files_batch(request: Request, service=Depends(admin_service)):
        service.check_batch_size(content_length(request))
        archive = await read_limited(request.stream(), service, batch=True)
        status, body = await run_in_threadpool(service.batch, archive)
        return JSONResponse(body, status_code=status)

    @app.post("/v1/dag-files/rollback")
    async def dag_files_rollback(dry_run: str = "", service=Depends(admin_service)):
        wanted = dry_run.lower() in ("1", "true", "yes")
        status, body = await run_in_threadpool(service.rollback, wanted)
        return JSONResponse(body, status_code=status)

    @app.put("/v1/dag-files/{file_path:path}")
    async def put_dag_file(file_path: str, request: Request, service=Depends(admin_service)):
        service.check_size(content_length(request))
        data = await read_limited(request.stream(), service)
        status, body = await run_in_threadpool(service.put_file, file_path, data)
        return JSONResponse(body, status_code=status)

    @app.delete("/v1/dag-files/{file_path:path}")
    async def delete_dag_file(file_path: str, service=Depends(admin_service)):
        status, body = await run_in_threadpool(service.delete_file, file_path)
        return JSONResponse(body, status_code=status)

    @app.post("/v1/secrets/fingerprint")
    async def fingerprint(request: Request, service=Depends(admin_service)):
        try:
            body = await request.json()
        except ValueError:
            body = None
        status, answer = await run_in_threadpool(service.fingerprint, body)
        return JSONResponse(answer, status_code=status)

    add_legacy_route(app)  # /rest_api/api: its own authentication (legacy_auth), not admin_service
    return app
