import pytest

from dagops_rest_api.errors import ApiError
from dagops_rest_api.shared_secret import check_shared_secret


def with_token(settings, token, header="rest_api_plugin_http_token"):
    return settings._replace(expected_token=token, token_header=header)


def test_off_when_no_secret_is_configured(settings):
    check_shared_secret(settings, lambda name: None)


def test_the_right_secret_passes(settings):
    check_shared_secret(with_token(settings, "s3cret"), {"rest_api_plugin_http_token": "s3cret"}.get)


def test_the_configured_header_name_is_read(settings):
    check_shared_secret(with_token(settings, "s3cret", "X-Token"), {"X-Token": "s3cret"}.get)


@pytest.mark.parametrize("headers, reason", [({}, "missing"), ({"rest_api_plugin_http_token": "s3cre"}, "wrong"),
                                             ({"rest_api_plugin_http_token": "s3cret!"}, "wrong")])
def test_missing_or_wrong_secret_is_403_without_echoing_it(settings, headers, reason):
    with pytest.raises(ApiError) as refused:
        check_shared_secret(with_token(settings, "s3cret"), headers.get)
    assert refused.value.status == 403
    assert reason in refused.value.detail
    assert "s3cre" not in refused.value.detail
