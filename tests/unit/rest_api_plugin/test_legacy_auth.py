import pytest

from dagops_rest_api.errors import ApiError
from dagops_rest_api.legacy_auth import TOKEN_FAILED, Caller, LegacyAuthError, authenticate, token_gate

ADMIN = Caller("admin", "basic")


def admin():
    return ADMIN


def not_logged_in():
    raise ApiError(401, "authentication required")


def viewer():
    raise ApiError(403, "only Airflow admins may use this plugin")


def with_token(settings, token, **changes):
    return settings._replace(expected_token=token, **changes)


def refusal(settings, headers, airflow_admin=admin):
    with pytest.raises(LegacyAuthError) as refused:
        authenticate(settings, headers.get, airflow_admin)
    return refused.value


def test_without_a_token_an_admin_passes(settings):
    assert authenticate(settings, {}.get, admin) == ADMIN


@pytest.mark.parametrize("airflow_admin, status", [(not_logged_in, 401), (viewer, 403)])
def test_airflow_refusals_keep_their_status(settings, airflow_admin, status):
    error = refusal(settings, {}, airflow_admin)
    assert error.status == status


@pytest.mark.parametrize("headers", [{}, {"rest_api_plugin_http_token": "wrong"}, {"rest_api_plugin_http_token": ""}])
def test_a_missing_or_wrong_token_is_the_old_plugins_403(settings, headers):
    error = refusal(with_token(settings, "changeme"), headers)
    assert (error.status, error.message) == (403, TOKEN_FAILED)


def test_the_token_is_checked_before_airflow_is_asked(settings):
    assert refusal(with_token(settings, "changeme"), {}, not_logged_in).status == 403


def test_the_right_token_still_needs_an_airflow_admin(settings):
    headers = {"rest_api_plugin_http_token": "changeme"}
    assert authenticate(with_token(settings, "changeme"), headers.get, admin) == ADMIN
    assert refusal(with_token(settings, "changeme"), headers, not_logged_in).status == 401


def test_the_configured_header_name_and_its_hyphenated_spelling(settings):
    configured = with_token(settings, "changeme", token_header="x_team_token")
    assert authenticate(configured, {"x_team_token": "changeme"}.get, admin) == ADMIN
    assert authenticate(configured, {"x-team-token": "changeme"}.get, admin) == ADMIN
    assert refusal(configured, {"rest_api_plugin_http_token": "changeme"}).message == TOKEN_FAILED


def test_token_only_admits_the_token_without_airflow(settings):
    configured = with_token(settings, "changeme", legacy_token_only=True)
    caller = authenticate(configured, {"rest_api_plugin_http_token": "changeme"}.get, not_logged_in)
    assert caller == Caller("", "token")
    assert refusal(configured, {}, admin).message == TOKEN_FAILED


def test_token_only_without_a_configured_token_refuses_everyone(settings):
    error = refusal(settings._replace(legacy_token_only=True), {}, admin)
    assert error.status == 403
    assert "rest_api_plugin_expected_http_token" in error.message


def test_legacy_api_off_is_404_even_for_an_admin(settings):
    assert refusal(settings._replace(legacy_api=False), {}, admin).status == 404
    assert token_gate(settings, {}.get) is None
