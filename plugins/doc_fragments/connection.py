# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations


class ModuleDocFragment:
    """The connection options every dagops.airflow API module takes."""

    DOCUMENTATION = r"""
options:
  airflow_url:
    description:
      - Base URL of the Airflow webserver (Airflow 2) or api-server (Airflow 3), for example C(https://airflow.example.com).
      - May carry a path prefix (C(https://example.com/airflow)) when Airflow is served below one.
      - Credentials written into the URL are used but never printed.
      - If not set, the value of the E(AIRFLOW_URL) environment variable is used.
    type: str
    required: true
  api_version:
    description:
      - Which REST API to talk to.
      - V(auto) asks C(/api/v2/version) and falls back to C(/api/v1/version), which gives V(v2) for Airflow 3 and V(v1) for Airflow 2.
      - Setting it saves one request per task.
      - If not set, the value of the E(AIRFLOW_API_VERSION) environment variable is used.
    type: str
    choices: [auto, v1, v2]
    default: auto
  airflow_username:
    description:
      - User to authenticate as.
      - With API V(v1) it is sent with HTTP Basic auth (the server needs the basic_auth backend in C([api] auth_backends)).
      - With API V(v2) it is exchanged for a JWT at C(/auth/token).
        The token is fetched again once when the server refuses it (expired, or the api-server restarted with a new signing key).
      - Requires O(airflow_password); cannot be combined with O(airflow_token).
      - If not set, the value of the E(AIRFLOW_USERNAME) environment variable is used, unless the task sets O(airflow_token).
    type: str
  airflow_password:
    description:
      - Password of O(airflow_username). Requires O(airflow_username); cannot be combined with O(airflow_token).
      - If not set, the value of the E(AIRFLOW_PASSWORD) environment variable is used, unless the task sets O(airflow_token).
    type: str
  airflow_token:
    description:
      - A ready bearer token (an Airflow 3 JWT or a managed service's token), used instead of O(airflow_username)/O(airflow_password).
      - It cannot be renewed, so a refused token fails the task with a clear message.
      - Cannot be combined with O(airflow_username) or O(airflow_password).
      - If not set, the value of the E(AIRFLOW_TOKEN) environment variable is used, unless the task sets O(airflow_username)
        or O(airflow_password).
    type: str
  validate_certs:
    description:
      - Verify the server's TLS certificate. Set to V(false) only for a test server with a self-signed certificate.
    type: bool
    default: true
  ca_path:
    description:
      - A CA bundle (PEM) to verify the server's certificate with, instead of the system's.
    type: path
  client_cert:
    description:
      - A PEM client certificate for mutual TLS. It may hold the key too; else set O(client_key).
    type: path
  client_key:
    description:
      - The PEM private key of O(client_cert).
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP request.
    type: int
    default: 30
  retries:
    description:
      - How many times to retry a request after a connection error or an HTTP 429, 500, 502, 503 or 504, with exponential backoff that honours C(Retry-After).
      - A write whose outcome is unknown is checked on the server before it is sent again.
    type: int
    default: 3
  rest_api_plugin_token:
    description:
      - The shared secret that the collection's REST plugin expects when C([rest_api_plugin] rest_api_plugin_expected_http_token) is set on the server.
      - Sent only to the plugin's paths (C(rest_api/...)), in the header named by O(rest_api_plugin_token_header).
      - The plugin is used by M(dagops.airflow.airflow_deploy_dag) and to compare secrets (C(update_password)/C(update_secrets) V(compare)).
      - If not set, the value of the E(AIRFLOW_REST_API_PLUGIN_TOKEN) environment variable is used.
    type: str
  rest_api_plugin_token_header:
    description:
      - The name of the header that carries O(rest_api_plugin_token), as set in C([rest_api_plugin] rest_api_plugin_http_token_header_name).
    type: str
    default: rest_api_plugin_http_token
notes:
  - "Credentials are either O(airflow_token) or O(airflow_username) with O(airflow_password). The task (with its
    C(module_defaults)) chooses the kind: the environment variables fill only the credential options of that kind which
    the task leaves unset, so E(AIRFLOW_TOKEN) in the environment does not conflict with a user and password set in the
    task, nor E(AIRFLOW_USERNAME)/E(AIRFLOW_PASSWORD) with a token set in the task. A task that sets no credential takes
    them all from the environment, where the same rules apply: a token and a user there at once, or a user without a
    password, fail the task before any request. An empty value counts as not set."
  - The connection options can be set once for a play with C(module_defaults) and the action group C(group/dagops.airflow.airflow).
requirements:
  - requests (Python library, on the host that runs the module)
"""

    # The *_info modules: they read only, the same in check mode.
    INFO_ATTRIBUTES = r"""
attributes:
  check_mode:
    support: full
    description: Reads the same in check mode; C(changed) is always false.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to show.
  action_group:
    description: Use C(group/dagops.airflow.airflow) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - dagops.airflow.airflow
"""

    ATTRIBUTES = r"""
attributes:
  check_mode:
    support: full
    description: Reads the server and reports what would change, without writing.
  action_group:
    description: Use C(group/dagops.airflow.airflow) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - dagops.airflow.airflow
"""
