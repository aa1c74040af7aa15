from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.masking import (
    DIFFERENT, EQUAL, HIDDEN, UNVERIFIED, compare, has_secret_keys, is_sensitive_name, keep_masked, masked_counterparts,
    masked_keys, redact, secret_strings,
)


def test_sensitive_names_follow_airflow():
    assert is_sensitive_name("db_PASSWORD")
    assert is_sensitive_name("slack_api_key") and is_sensitive_name("github_token")
    assert not is_sensitive_name("environment")


def test_masked_value_is_never_equal_nor_different():
    assert compare("s3cret", "***") == UNVERIFIED
    assert compare("***", "***") == EQUAL
    assert compare({"user": "u", "password": "p"}, {"user": "u", "password": "***"}) == UNVERIFIED
    assert compare({"user": "v", "password": "p"}, {"user": "u", "password": "***"}) == DIFFERENT
    assert compare({"a": 1}, {"a": 1, "b": 2}) == DIFFERENT
    assert compare([1, "x"], [1, "***"]) == UNVERIFIED


def test_json_comparison_ignores_key_order():
    assert compare({"a": 1, "b": [1, 2]}, {"b": [1, 2], "a": 1}) == EQUAL


def test_redact_hides_sensitive_keys_at_any_depth():
    assert redact("s3cret", "db_password") == HIDDEN
    assert redact({"host": "h", "auth": {"api_key": "k"}}, "settings") == {"host": "h", "auth": {"api_key": HIDDEN}}
    assert redact("***") == HIDDEN


def test_secret_strings_collects_what_must_never_be_printed():
    assert secret_strings("s3cret", "db_password") == ["s3cret"]
    assert secret_strings({"user": "u", "token": "t", "n": {"passwd": 5}}, "cfg") == ["t", "5"]
    assert secret_strings("plain", "environment") == []
    assert secret_strings("***", "db_password") == []


def test_airflow_3_words_and_its_normalised_names_are_sensitive():
    assert is_sensitive_name("webhook_url") and is_sensitive_name("bearer") and is_sensitive_name("dsn")
    assert is_sensitive_name("api-key") and is_sensitive_name("Access Token")


def test_keep_masked_sends_back_only_what_the_server_masked():
    current = {"api_token": "***", "timeout": 5, "auth": {"secret": "***", "user": "u"}}
    desired = {"api_token": "new", "timeout": 6, "auth": {"secret": "s", "user": "v"}, "added_token": "t"}
    assert keep_masked(desired, current) == {
        "api_token": "***", "timeout": 6, "auth": {"secret": "***", "user": "v"}, "added_token": "t"}


def test_keep_masked_sends_a_reshaped_secret_as_declared():
    assert keep_masked({"token": {"a": "b"}}, {"token": "***"}) == {"token": {"a": "b"}}
    assert keep_masked({"x": 1}, {"token": "***"}) == {"x": 1}


def test_masked_counterparts_are_the_declared_values_the_server_hides():
    # A word from the server's own sensitive_var_conn_names is known only by its ***.
    assert masked_counterparts({"house_key": "k1", "a": "b"}, {"house_key": "***", "a": "b"}) == ["k1"]
    assert masked_counterparts({"a": "b"}, {"a": "b"}) == []


def test_has_secret_keys_and_masked_keys():
    assert has_secret_keys({"api_key": "k"}) and has_secret_keys({"x": {"y": "***"}})
    assert not has_secret_keys({"region": "eu"}) and not has_secret_keys(None)
    assert masked_keys({"a": {"b": "***", "c": "x"}, "l": ["v", "***"]}) == ["a.b", "l.1"]
    assert masked_keys("***") == [""] and masked_keys({"a": "x"}) == []
