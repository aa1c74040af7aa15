"""The optional shared-secret header of the legacy REST API plugin."""
import hmac

from dagops_rest_api.errors import ApiError


def check_shared_secret(settings, get_header):
    """Refuse (403) when a secret is configured and the request's header lacks it or differs."""
    expected = settings.expected_token
    if not expected:
        return
    presented = get_header(settings.token_header)
    if not presented:
        raise ApiError(403, f"missing the shared-secret header {settings.token_header}")
    if not hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(403, f"wrong value in the shared-secret header {settings.token_header}")
