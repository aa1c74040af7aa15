"""Who may call the plugin on Airflow 3: the api-server's JWT (bearer token or `_token` cookie),
then an admin."""
# pylint: disable=import-outside-toplevel
import inspect

from dagops_rest_api.errors import ApiError

DEFAULT_ADMIN_ROLE = "Admin"


def _bearer(request):
    from fastapi.security import HTTPAuthorizationCredentials

    scheme, _sep, credentials = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return HTTPAuthorizationCredentials(scheme=scheme, credentials=credentials.strip())


async def authenticated_user(request):
    """Airflow's own `get_user` dependency, called for this request; 401 when it refuses."""
    from airflow.api_fastapi.core_api import security
    from fastapi import HTTPException

    try:
        if "bearer_credentials" in inspect.signature(security.get_user).parameters:
            return await security.get_user(request, None, _bearer(request))
        bearer = _bearer(request)
        token = bearer.credentials if bearer else request.cookies.get("_token")
        if hasattr(security, "resolve_user_from_token"):
            return await security.resolve_user_from_token(token)
        # Airflow 3.0: get_user takes the token itself (and has no answer for a missing one).
        if not token:
            raise HTTPException(status_code=401, detail="Not authenticated")
        return await security.get_user(token)
    except HTTPException as error:
        # Airflow answers 403 for a token with a bad signature; for this plugin that is no credential.
        raise ApiError(401, f"authentication required ({error.detail}): send an admin's JWT as "
                            "'Authorization: Bearer <token from POST /auth/token>'") from None


def _fab_admin_role(auth_manager):
    try:
        return auth_manager.appbuilder.app.config.get("AUTH_ROLE_ADMIN", DEFAULT_ADMIN_ROLE)
    except Exception:  # pylint: disable=broad-except
        # No Flask app context in this request: FAB's default.
        return DEFAULT_ADMIN_ROLE


def is_admin(user):
    from airflow.api_fastapi.app import get_auth_manager

    auth_manager = get_auth_manager()
    kind = type(auth_manager).__name__
    if kind == "SimpleAuthManager":
        return str(getattr(user, "role", "") or "").upper() == "ADMIN"
    if kind == "FabAuthManager" or hasattr(user, "roles"):
        return _fab_admin_role(auth_manager) in {role.name for role in (getattr(user, "roles", None) or [])}
    return bool(auth_manager.is_authorized_configuration(method="PUT", user=user))


def require_admin(user):
    if not is_admin(user):
        raise ApiError(403, "only Airflow admins may use this plugin")
