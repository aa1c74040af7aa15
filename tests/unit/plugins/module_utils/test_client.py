from __future__ import annotations

import pytest
import requests
import urllib3

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowClient, AirflowError

from .fakes import FakeResponse, FakeSession

BASE = "http://airflow.test:8080"
V2_VERSION = FakeResponse(200, {"version": "3.3.2", "git_version": None})
TOKEN = FakeResponse(201, {"access_token": "jwt-1"})


def make_client(answers, url=BASE, **kwargs):
    sleeps = []
    kwargs.setdefault("username", "admin")
    kwargs.setdefault("password", "admin-pw")
    client = AirflowClient(url, sleep=sleeps.append, **kwargs)
    fake = FakeSession(BASE, answers)
    fake_transport(client, fake.request)
    return client, fake, sleeps


def fake_transport(client, request):
    """Every thread's Session sends through ``request`` (the client makes one Session per thread)."""
    make_session = client.sessions.new

    def new():
        session = make_session()
        session.request = request
        return session
    client.sessions.new = new


def refused():
    cause = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused")
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/", cause))


def test_detects_v2_and_uses_a_jwt():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/variables/a"): [FakeResponse(200, {"key": "a", "value": "1"})],
    })
    assert client.get("api/v2/variables/a")["value"] == "1"
    assert client.api.version == "v2" and client.airflow_version == "3.3.2"
    assert fake.calls[0].headers == {} and fake.calls[0].auth is None  # the probe carries no credentials
    assert fake.calls[1].json == {"username": "admin", "password": "admin-pw"}
    assert fake.calls[2].headers["Authorization"] == "Bearer jwt-1"


def test_a_ready_token_refused_with_403_says_the_token_was_refused():
    # Airflow 3.3 answers a bad bearer token with 403 "Invalid JWT token" (seen on a real server).
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("GET", "api/v2/pools"): [FakeResponse(403, {"detail": "Invalid JWT token"})],
    }, username=None, password=None, token="not-valid")
    with pytest.raises(AirflowError) as err:
        client.get("api/v2/pools")
    assert "airflow_token was refused" in str(err.value) and "lacks the permission" not in str(err.value)


def test_a_permission_403_with_a_token_keeps_the_permission_hint():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("GET", "api/v2/pools"): [FakeResponse(403, {"detail": "Forbidden"})],
    }, username=None, password=None, token="valid")
    with pytest.raises(AirflowError) as err:
        client.get("api/v2/pools")
    assert "lacks the permission" in str(err.value)


def test_a_given_token_goes_with_the_version_probe():
    # A managed service checks the token in front of every path: without it /api/v2/version is
    # 401 and the probe would take an Airflow 3 for an Airflow 2.
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("GET", "api/v2/pools"): [FakeResponse(200, {"pools": [], "total_entries": 0})],
    }, username=None, password=None, token="managed-token")
    client.get("api/v2/pools")
    assert client.api.version == "v2"
    assert [call.headers.get("Authorization") for call in fake.calls] == ["Bearer managed-token"] * 2
    assert all(call.auth is None for call in fake.calls)


def test_falls_back_to_v1_with_basic_auth():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [FakeResponse(404, {"title": "Not Found"})],
        ("GET", "api/v1/version"): [FakeResponse(200, {"version": "2.11.0"})],
        ("GET", "api/v1/variables"): [FakeResponse(200, {"variables": [], "total_entries": 0})],
    })
    client.get("api/v1/variables")
    assert client.api.version == "v1" and client.airflow_version == "2.11.0"
    assert fake.calls[-1].auth == ("admin", "admin-pw")
    assert "Authorization" not in fake.calls[-1].headers


def test_no_api_at_the_url_says_so():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [FakeResponse(404, text="nope")],
        ("GET", "api/v1/version"): [FakeResponse(404, text="nope")],
    })
    with pytest.raises(AirflowError) as err:
        client.connect()
    assert "neither /api/v2/version nor /api/v1/version" in str(err.value)
    assert "path prefix" in str(err.value)


def test_expired_jwt_is_fetched_again_once():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN, FakeResponse(201, {"access_token": "jwt-2"})],
        ("GET", "api/v2/pools"): [FakeResponse(401, {"detail": "Token Expired"}), FakeResponse(200, {"pools": []})],
    })
    assert client.get("api/v2/pools") == {"pools": []}
    assert fake.paths("POST") == ["auth/token", "auth/token"]
    assert fake.calls[-1].headers["Authorization"] == "Bearer jwt-2"


def test_invalid_signature_after_restart_renews_the_token():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(403, {"detail": "Invalid JWT token"}), FakeResponse(200, {"pools": []})],
    })
    client.get("api/v2/pools")
    assert fake.paths("POST") == ["auth/token", "auth/token"]


def test_a_plain_403_is_not_retried_and_says_what_to_fix():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(403, {"detail": "Forbidden"})],
    })
    with pytest.raises(AirflowError) as err:
        client.get("api/v2/pools")
    assert fake.paths("POST") == ["auth/token"]
    assert str(err.value) == "GET %s/api/v2/pools returned HTTP 403: Forbidden (the Airflow user lacks the permission for this call)" % BASE


def test_wrong_password_is_one_clear_line_without_the_password():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [FakeResponse(401, {"detail": "Invalid credentials"})],
    }, password="hunter2")
    with pytest.raises(AirflowError) as err:
        client.get("api/v2/pools")
    text = str(err.value)
    assert "HTTP 401" in text and "Invalid credentials" in text and "airflow_password" in text
    assert "hunter2" not in text and "\n" not in text


def test_a_ready_token_is_sent_and_never_renewed():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("GET", "api/v2/pools"): [FakeResponse(401, {"detail": "Token Expired"})],
    }, username=None, password=None, token="ready")
    with pytest.raises(AirflowError) as err:
        client.get("api/v2/pools")
    assert "airflow_token was refused" in str(err.value)
    assert fake.calls[-1].headers["Authorization"] == "Bearer ready"
    assert not fake.paths("POST")


def test_credentials_in_the_url_are_used_but_never_printed():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(500, {"detail": "boom"})],
    }, url="http://bob:pa55@airflow.test:8080/", username=None, password=None)
    with pytest.raises(AirflowError) as err:
        client.get("api/v2/pools")
    assert fake.calls[1].json == {"username": "bob", "password": "pa55"}
    assert "pa55" not in str(err.value) and "bob" not in str(err.value)


def test_retries_honour_retry_after_and_back_off():
    client, fake, sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [
            FakeResponse(429, {"detail": "slow down"}, headers={"Retry-After": "7"}),
            FakeResponse(503, text="unavailable"),
            FakeResponse(200, {"pools": []}),
        ],
    }, retries=3)
    assert client.get("api/v2/pools") == {"pools": []}
    assert sleeps == [7.0, 1.0]


def test_gives_up_after_the_retries_with_the_server_message():
    client, fake, sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(503, {"detail": "maintenance"})],
    }, retries=2)
    with pytest.raises(AirflowError) as err:
        client.get("api/v2/pools")
    assert sleeps == [0.5, 1.0]
    assert "HTTP 503: maintenance" in str(err.value)


def test_unreachable_server_is_one_line_naming_the_url():
    client, _fake, sleeps = make_client({("GET", "api/v2/version"): [refused()]}, retries=1)
    with pytest.raises(AirflowError) as err:
        client.connect()
    text = str(err.value)
    assert text.startswith("GET %s/api/v2/version failed: cannot reach Airflow (connection refused) after 2 attempt(s)" % BASE)
    assert "\n" not in text and len(sleeps) == 1


def test_a_create_whose_answer_was_lost_is_checked_not_replayed():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "api/v2/variables"): [requests.exceptions.ReadTimeout("read timed out")],
    })
    created = {"key": "a", "value": "1"}
    assert client.post("api/v2/variables", created, confirm=lambda: created) == created
    assert fake.paths("POST").count("api/v2/variables") == 1


def test_a_create_that_did_not_land_is_sent_again():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "api/v2/variables"): [FakeResponse(502, text="bad gateway"), FakeResponse(201, {"key": "a"})],
    })
    assert client.post("api/v2/variables", {"key": "a"}, confirm=lambda: None) == {"key": "a"}
    assert fake.paths("POST").count("api/v2/variables") == 2


def test_a_transient_500_is_retried_for_a_read():
    client, _fake, sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(500, {"detail": "database is locked"}), FakeResponse(200, {"pools": []})],
    })
    assert client.get("api/v2/pools") == {"pools": []}
    assert sleeps == [0.5]


def test_a_create_answered_500_is_checked_before_it_is_sent_again():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "api/v2/variables"): [FakeResponse(500, {"detail": "oops"}), FakeResponse(201, {"key": "a"})],
    })
    checked = []
    assert client.post("api/v2/variables", {"key": "a"}, confirm=lambda: checked.append(1)) == {"key": "a"}
    assert checked == [1] and fake.paths("POST").count("api/v2/variables") == 2


def test_a_500_to_a_post_without_a_check_is_reported_not_replayed():
    client, fake, sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "api/v2/dags/x/dagRuns"): [FakeResponse(500, {"detail": "internal error"})],
    })
    with pytest.raises(AirflowError) as err:
        client.post("api/v2/dags/x/dagRuns", {})
    assert "HTTP 500: internal error" in str(err.value)
    assert fake.paths("POST").count("api/v2/dags/x/dagRuns") == 1 and sleeps == []


@pytest.mark.parametrize("status", [500, 503])
def test_a_failing_version_probe_is_reported_not_taken_for_another_api(status):
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [FakeResponse(status, {"detail": "down for a moment"})],
        ("GET", "api/v1/version"): [FakeResponse(404, {"detail": "not found"})],
    }, retries=1)
    with pytest.raises(AirflowError) as err:
        client.connect()
    assert "api/v2/version returned HTTP %d: down for a moment" % status in str(err.value)
    assert fake.paths() == ["api/v2/version", "api/v2/version"]


def test_a_version_probe_that_fails_once_finds_the_api():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [FakeResponse(500, text="boom"), V2_VERSION],
    })
    assert client.connect().version == "v2"


def test_a_create_with_unknown_outcome_and_no_check_fails_instead_of_replaying():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "api/v2/dags/x/dagRuns"): [requests.exceptions.ConnectionError("Connection aborted")],
    })
    with pytest.raises(AirflowError) as err:
        client.post("api/v2/dags/x/dagRuns", {})
    assert "unknown" in str(err.value)
    assert fake.paths("POST").count("api/v2/dags/x/dagRuns") == 1


def test_a_refused_connection_is_safe_to_retry_for_a_create():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "api/v2/variables"): [refused(), FakeResponse(201, {"key": "a"})],
    })
    assert client.post("api/v2/variables", {"key": "a"}) == {"key": "a"}


def test_validation_errors_are_flattened_to_one_line():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("POST", "api/v2/pools"): [FakeResponse(422, {"detail": [
            {"loc": ["body", "slots"], "msg": "Input should be a valid integer", "type": "int_parsing"},
            {"loc": ["body", "name"], "msg": "Field required", "type": "missing"}]})],
    })
    with pytest.raises(AirflowError) as err:
        client.post("api/v2/pools", {})
    assert "slots: Input should be a valid integer; name: Field required" in str(err.value)


def test_v1_problem_details_keep_title_and_detail():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v1/variables/x"): [FakeResponse(400, {"title": "Invalid Variable schema", "detail": "value missing", "status": 400})],
    }, api_version="v1")
    with pytest.raises(AirflowError) as err:
        client.get("api/v1/variables/x")
    assert "Invalid Variable schema: value missing" in str(err.value)


def test_list_all_follows_offsets_until_total_entries():
    pages = [FakeResponse(200, {"pools": [{"name": "p%d" % i} for i in range(start, min(start + 2, 5))], "total_entries": 5})
             for start in (0, 2, 4)]
    client, fake, _sleeps = make_client({("GET", "api/v1/pools"): pages}, api_version="v1")
    assert [p["name"] for p in client.list_all("api/v1/pools", "pools", page_size=2)] == ["p0", "p1", "p2", "p3", "p4"]
    assert [c.params["offset"] for c in fake.calls] == [0, 2, 4]


def test_update_mask_style_differs_per_api():
    from ansible_collections.dagops.airflow.plugins.module_utils.api import dialect_for
    assert dialect_for("v1").update_mask("pools", ["slots", "description"]) == {"update_mask": "description,slots"}
    assert dialect_for("v1").update_mask("variables", ["value"]) == {"update_mask": "val"}
    assert dialect_for("v2").update_mask("variables", ["value", "description"]) == {"update_mask": ["description", "value"]}


def test_a_url_without_scheme_is_refused_early():
    with pytest.raises(AirflowError) as err:
        AirflowClient("airflow.test:8080")
    assert "http:// or https://" in str(err.value)


def test_an_html_page_under_a_wrong_prefix_is_not_an_api():
    page = FakeResponse(200, text="<!doctype html><html>Airflow UI</html>")
    client, _fake, _sleeps = make_client({("GET", "api/v2/version"): [page], ("GET", "api/v1/version"): [page]})
    with pytest.raises(AirflowError) as err:
        client.connect()
    assert "path prefix" in str(err.value)


def test_v1_sends_basic_auth_with_every_request_even_holding_a_session_cookie():
    # Airflow 2 never saves a session for /api/v1 requests: a cookie from a UI page (the v2
    # version probe's 404) is anonymous, and a request that rode it would be answered 401.
    page = FakeResponse(200, {"variables": [], "total_entries": 0})
    client, fake, _sleeps = make_client({("GET", "api/v1/variables"): [page, page]}, api_version="v1")
    client.session.cookies.set("session", "anonymous")
    client.get("api/v1/variables")
    client.get("api/v1/variables")
    assert [c.auth for c in fake.calls if c.url.endswith("variables")] == [("admin", "admin-pw")] * 2


def _v2_with_users_answer(answer):
    return make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "auth/fab/v1/users"): [answer],
    })[0]


def test_the_fab_user_api_counts_only_when_it_answers_json():
    assert _v2_with_users_answer(FakeResponse(200, {"users": [], "total_entries": 0})).has_user_api()
    # The simple auth manager: Airflow 3 serves its UI page with HTTP 200 for the unknown path.
    assert not _v2_with_users_answer(FakeResponse(200, text="<!doctype html><html>Airflow UI</html>")).has_user_api()
    assert not _v2_with_users_answer(FakeResponse(404, {"detail": "Not Found"})).has_user_api()
    # The API is there, this user just may not list users: the real call reports the 403.
    assert _v2_with_users_answer(FakeResponse(403, {"detail": "Forbidden"})).has_user_api()


def test_no_user_api_on_airflow_3_says_where_users_are_configured():
    client = _v2_with_users_answer(FakeResponse(200, text="<!doctype html><html>Airflow UI</html>"))
    with pytest.raises(AirflowError) as err:
        client.require_user_api()
    text = str(err.value)
    assert "FAB auth manager" in text
    assert "[core] simple_auth_manager_users" in text and "[core] simple_auth_manager_passwords_file" in text


def test_the_user_api_probe_follows_the_dialect():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [FakeResponse(404, {"title": "Not Found"})],
        ("GET", "api/v1/version"): [FakeResponse(200, {"version": "2.11.0"})],
        ("GET", "api/v1/roles"): [FakeResponse(200, {"roles": [], "total_entries": 0})],
    })
    client.require_user_api("roles")
    assert fake.calls[-1].params == {"limit": 1}


PLUGIN_VERSION = FakeResponse(200, {"plugin": "dagops.airflow", "plugin_version": "0.1.0",
                                    "capabilities": ["dag-files", "fingerprint"]})


def test_the_rest_plugin_is_asked_once_and_gets_its_shared_secret_only():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "rest_api/v1/version"): [PLUGIN_VERSION],
        ("GET", "api/v2/variables/a"): [FakeResponse(200, {"key": "a", "value": "1"})],
    }, plugin_token="s3cret", plugin_token_header="X_Plugin_Token")
    assert client.rest_plugin()["plugin_version"] == "0.1.0"
    assert client.rest_plugin() is client.rest_plugin()
    client.get("api/v2/variables/a")
    plugin_calls = [c for c in fake.calls if "rest_api/" in c.url]
    assert len(plugin_calls) == 1 and plugin_calls[0].headers["X-Plugin-Token"] == "s3cret"
    assert all("X-Plugin-Token" not in c.headers for c in fake.calls if "rest_api/" not in c.url)
    assert client.require_rest_plugin("fingerprint")["plugin_version"] == "0.1.0"


@pytest.mark.parametrize("answer, reason", [
    (FakeResponse(404, {"detail": "Not Found"}), "does not answer"),
    (FakeResponse(200, text="<html>UI</html>"), "does not answer"),
    (FakeResponse(403, {"detail": "admins only"}), "refused this user (HTTP 403: admins only)"),
])
def test_a_missing_or_refusing_plugin_is_none_with_the_reason(answer, reason):
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN, TOKEN],
        ("GET", "rest_api/v1/version"): [answer, answer],
    })
    assert client.rest_plugin() is None
    assert reason in client.plugin_problem
    with pytest.raises(AirflowError, match="REST plugin"):
        client.require_rest_plugin()


def test_a_plugin_without_the_capability_asks_for_an_upgrade():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "rest_api/v1/version"): [PLUGIN_VERSION],
    })
    with pytest.raises(AirflowError, match="no 'legacy-deploy-dag' capability"):
        client.require_rest_plugin("legacy-deploy-dag")


def test_raw_bodies_go_as_they_are_with_their_content_type():
    client, fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("PUT", "rest_api/v1/dag-files/a.py"): [FakeResponse(200, {"changed": True})],
    })
    client.request("PUT", "rest_api/v1/dag-files/a.py", data=b"print(1)\n", content_type="application/octet-stream")
    assert fake.calls[-1].data == b"print(1)\n" and fake.calls[-1].json is None
    assert fake.calls[-1].headers["Content-Type"] == "application/octet-stream"


# ----- retries show in the output -------------------------------------------------------------
def test_each_retry_is_a_warning_with_method_url_reason_and_attempt():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(503, text="unavailable"), refused(), FakeResponse(200, {"pools": []})],
    }, url="http://bob:pa55@airflow.test:8080", retries=3)
    client.get("api/v2/pools", params={"limit": 5})
    assert client.warnings == [
        "GET %s/api/v2/pools: attempt 1 of 4 failed (HTTP 503); trying again" % BASE,
        "GET %s/api/v2/pools: attempt 2 of 4 failed (connection refused); trying again" % BASE,
    ]
    assert not any("pa55" in text or "bob" in text for text in client.warnings)


def test_a_request_that_needs_no_retry_leaves_no_warning():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(404, {"detail": "Not Found"})],
    })
    assert client.get_or_none("api/v2/pools") is None
    assert client.warnings == []


def test_a_failure_after_every_retry_has_a_warning_for_each_but_the_last():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN],
        ("GET", "api/v2/pools"): [FakeResponse(503, {"detail": "maintenance"})],
    }, retries=2)
    with pytest.raises(AirflowError):
        client.get("api/v2/pools")
    assert [text.split(": ", 1)[1] for text in client.warnings] == [
        "attempt 1 of 3 failed (HTTP 503); trying again", "attempt 2 of 3 failed (HTTP 503); trying again"]


def test_a_request_sent_again_with_a_new_token_says_so():
    client, _fake, _sleeps = make_client({
        ("GET", "api/v2/version"): [V2_VERSION],
        ("POST", "auth/token"): [TOKEN, FakeResponse(201, {"access_token": "jwt-2"})],
        ("GET", "api/v2/pools"): [FakeResponse(401, {"detail": "Token Expired"}), FakeResponse(200, {"pools": []})],
    })
    client.get("api/v2/pools")
    assert client.warnings == ["GET %s/api/v2/pools: sent again with a new token: the server refused the last one "
                               "(HTTP 401)" % BASE]


# ----- the authentication method is chosen once -----------------------------------------------
@pytest.mark.parametrize("api_version, kwargs, method", [
    ("v1", {}, "BasicAuth"),
    ("v2", {}, "JwtAuth"),
    ("v1", {"username": None, "password": None, "token": "t"}, "GivenToken"),
    ("v2", {"token": "t"}, "GivenToken"),   # a given token wins over a user and password
    ("v2", {"username": None, "password": None}, "Anonymous"),
])
def test_the_method_is_chosen_once_when_the_client_connects(api_version, kwargs, method):
    client, _fake, _sleeps = make_client({}, api_version=api_version, **kwargs)
    client.connect()
    chosen = client.auth
    assert type(chosen).__name__ == method
    client.connect()
    assert client.auth is chosen


def test_an_anonymous_v2_client_sends_no_credentials_and_fetches_no_token():
    client, fake, _sleeps = make_client({("GET", "api/v2/pools"): [FakeResponse(200, {"pools": []})]},
                                        api_version="v2", username=None, password=None)
    client.get("api/v2/pools")
    assert fake.paths() == ["api/v2/pools"] and fake.calls[0].headers == {} and fake.calls[0].auth is None


def test_a_401_to_basic_auth_is_not_sent_again():
    client, fake, _sleeps = make_client({("GET", "api/v1/pools"): [FakeResponse(401, {"title": "Unauthorized"})]},
                                        api_version="v1")
    with pytest.raises(AirflowError, match="airflow_username/airflow_password"):
        client.get("api/v1/pools")
    assert fake.paths() == ["api/v1/pools"] and client.warnings == []
