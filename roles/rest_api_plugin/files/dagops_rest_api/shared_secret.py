"""The optional shared-secret header of the legacy REST API plugin."""
import hmac

from dagops_rest_api.errors import ApiError


def header_spellings(name):
    """The configured name, then its hyphenated form. gunicorn (Airflow 2's webserver) drops
    header names with underscores, so clients send the legacy `rest_api_plugin_http_token` as
    `rest-api-plugin-http-token`; uvicorn (Airflow 3) passes either spelling through as sent."""
    hyphenated = name.replace("_", "-")
    return (name,) if hyphenated == name else (name, hyphenated)


def check_shared_secret(settings, get_header):
    """Refuse (403) when a secret is configured and the request's header lacks it or differs."""
    expected = settings.expected_token
    if not expected:
        return
    presented = next((value for value in map(get_header, header_spellings(settings.token_header)) if value), None)
    if not presented:
        raise ApiError(403, f"missing the shared-secret header {settings.token_header}")
    if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(403, f"wrong value in the shared-secret header {settings.token_header}")
