"""The legacy layers' authentication on Airflow 3 (FastAPI): legacy_auth's steps with the
api-server's JWT (bearer or `_token` cookie) or HTTP Basic checked by the auth manager's own login
(simple or FAB), so `curl -u user:password` scripts keep working."""
from starlette.concurrency import run_in_threadpool

from dagops_rest_api.auth_airflow3 import (authenticated_user, basic_credentials, require_admin,
                                           token_for_password, user_from_token)
from dagops_rest_api.config import ConfigError, load_settings
from dagops_rest_api.errors import ApiError
from dagops_rest_api.legacy_auth import Caller, LegacyAuthError, airflow_refusal, token_gate


def legacy_settings():
    try:
        return load_settings()
    except ConfigError as error:
        raise LegacyAuthError(500, f"the plugin is misconfigured: {error}") from None


async def airflow_admin(request):
    credentials = basic_credentials(request)
    if credentials is not None:
        token = await run_in_threadpool(token_for_password, *credentials)
        user, how = await user_from_token(token), "basic"
    else:
        try:
            user, how = await authenticated_user(request), "jwt"
        except ApiError as error:
            raise ApiError(error.status, f"{error.detail}, or HTTP Basic credentials (curl -u user:password)") from None
    await run_in_threadpool(require_admin, user)  # FAB reads roles from the database
    return Caller(str(user.get_name()), how)


async def authenticate(request):
    """The Caller of this FastAPI request, or LegacyAuthError (status, message)."""
    caller = token_gate(legacy_settings(), request.headers.get)
    if caller is not None:
        return caller
    try:
        return await airflow_admin(request)
    except ApiError as error:
        raise airflow_refusal(error) from None
