"""Who may call the plugin on Airflow 3: the api-server's JWT (bearer token or `_token` cookie),
then an admin."""
# pylint: disable=import-outside-toplevel
import base64
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


async def user_from_token(token):
    """The user a JWT names, as Airflow's own dependency resolves it (3.0 and 3.1+ name it differently)."""
    from airflow.api_fastapi.core_api import security
    from fastapi import HTTPException

    try:
        if hasattr(security, "resolve_user_from_token"):
            return await security.resolve_user_from_token(token)
        return await security.get_user(token)
    except HTTPException as error:
        raise ApiError(401, f"authentication required ({error.detail})") from None


def _simple_token(username, password):
    from airflow.api_fastapi.auth.managers.simple.datamodels.login import LoginBody
    from airflow.api_fastapi.auth.managers.simple.services.login import SimpleAuthManagerLogin

    return SimpleAuthManagerLogin.create_token(LoginBody(username=username, password=password))


def _fab_token(username, password):
    """What FAB's POST /auth/token does, in-process: its login service inside its Flask app context."""
    from airflow.providers.fab.auth_manager.api_fastapi.routes import login as fab_routes
    from airflow.providers.fab.auth_manager.api_fastapi.services.login import FABAuthManagerLogin

    body = {"username": username, "password": password}
    if hasattr(fab_routes, "_get_flask_app"):
        context = fab_routes._get_flask_app().app_context()  # pylint: disable=protected-access
    else:
        context = fab_routes.get_application_builder()
    with context:
        if "headers" in inspect.signature(FABAuthManagerLogin.create_token).parameters:
            return FABAuthManagerLogin.create_token(headers={}, body=body).access_token
        return FABAuthManagerLogin.create_token(body=body).access_token


def token_for_password(username, password):
    """A JWT for Basic credentials from the auth manager's own login (simple or FAB), or ApiError 401.
    Blocking (FAB reads its database): call it in a thread."""
    from airflow.api_fastapi.app import get_auth_manager
    from fastapi import HTTPException

    kind = type(get_auth_manager()).__name__
    login = {"SimpleAuthManager": _simple_token, "FabAuthManager": _fab_token}.get(kind)
    if login is None:
        raise ApiError(401, f"HTTP Basic credentials are checked with the simple and FAB auth managers only, "
                            f"not {kind}: send 'Authorization: Bearer <JWT>'")
    if not username or not password:
        raise ApiError(401, "authentication required: HTTP Basic needs a user name and a password")
    try:
        return login(username, password)
    except HTTPException as error:
        raise ApiError(401, f"authentication failed ({error.detail})") from None


def basic_credentials(request):
    """(user, password) from an `Authorization: Basic` header, or None when the request has none."""
    scheme, _sep, encoded = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _colon, password = base64.b64decode(encoded.strip(), validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(401, "the Authorization: Basic header is not base64 of user:password") from None
    return username, password
