"""The legacy layers' authentication on Airflow 2 (Flask): legacy_auth's steps with Airflow 2's own
API authentication ([api] auth_backends: Basic auth, the session) for the admin check."""
from flask import request

from dagops_rest_api.auth_airflow2 import authenticated_user, require_admin
from dagops_rest_api.config import ConfigError, load_settings
from dagops_rest_api.legacy_auth import Caller, LegacyAuthError, authenticate as authenticate_with


def legacy_settings():
    try:
        return load_settings()
    except ConfigError as error:
        raise LegacyAuthError(500, f"the plugin is misconfigured: {error}") from None


def airflow_admin():
    user = authenticated_user()
    require_admin(user)
    name = getattr(user, "username", None) or str(user.get_name() if hasattr(user, "get_name") else user)
    return Caller(name, "basic" if request.authorization else "session")


def authenticate():
    """The Caller of the current Flask request, or LegacyAuthError (status, message)."""
    return authenticate_with(legacy_settings(), request.headers.get, airflow_admin)
