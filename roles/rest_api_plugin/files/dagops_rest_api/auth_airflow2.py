"""Who may call the plugin on Airflow 2: Airflow's own API authentication, then an admin."""
# pylint: disable=import-outside-toplevel
from dagops_rest_api.errors import ApiError

DEFAULT_ADMIN_ROLE = "Admin"


def authenticated_user():
    """The user that one of `[api] auth_backends` (Basic auth, the session...) accepts, or 401."""
    from airflow.utils.airflow_flask_app import get_airflow_app
    from airflow.www.extensions.init_auth_manager import get_auth_manager
    from flask import Response

    def accepted():
        return Response("authenticated", 200)

    for backend in get_airflow_app().api_auth:
        if backend.requires_authentication(accepted)().status_code == 200:
            break
    else:
        raise ApiError(401, "authentication required: send the credentials of an Airflow admin")
    user = get_auth_manager().get_user()
    if user is None or getattr(user, "is_anonymous", False):
        # A backend let the request through without a user (AUTH_ROLE_PUBLIC): not good enough.
        raise ApiError(401, "authentication required: send the credentials of an Airflow admin")
    return user


def require_admin(user):
    from airflow.www.extensions.init_auth_manager import get_auth_manager
    from flask import current_app

    roles = getattr(user, "roles", None)
    if roles is not None:  # FAB users
        admin_role = current_app.config.get("AUTH_ROLE_ADMIN", DEFAULT_ADMIN_ROLE)
        if admin_role in {role.name for role in roles}:
            return
    elif get_auth_manager().is_authorized_configuration(method="PUT", user=user):
        return
    raise ApiError(403, "only Airflow admins may use this plugin")
