# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: airflow_variable
short_description: Read the values of Airflow variables
version_added: 0.2.0
description:
  - Returns the value of each Airflow variable named in the terms, read through the REST API of Airflow 2.11+ (API v1)
    or Airflow 3 (API v2) with the same client and connection options as the collection's modules.
  - The connection options are lookup keywords, or the environment variables the modules read
    (E(AIRFLOW_URL), E(AIRFLOW_API_VERSION), E(AIRFLOW_USERNAME), E(AIRFLOW_PASSWORD), E(AIRFLOW_TOKEN)).
    C(module_defaults) do not reach lookups.
  - Airflow 3 never shows the value of a variable whose key holds a sensitive word (it answers C(***)); such a key
    fails the lookup rather than returning C(***).
author:
  - dagops.airflow contributors (@dagops)
options:
  _terms:
    description: The variables' keys.
    required: true
    type: list
    elements: str
  default:
    description:
      - The value for a key the server does not have. Without it, a missing key fails the lookup.
    type: raw
  deserialize_json:
    description:
      - Decode each value as JSON (as Airflow's C(Variable.get(..., deserialize_json=True))); a value that is not JSON
        fails the lookup. O(default) is returned as it is.
    type: bool
    default: false
  airflow_url:
    description:
      - Base URL of the Airflow webserver (Airflow 2) or api-server (Airflow 3); may carry a path prefix.
    type: str
    required: true
    env:
      - name: AIRFLOW_URL
  api_version:
    description: Which REST API to talk to; V(auto) asks the server.
    type: str
    choices: [auto, v1, v2]
    default: auto
    env:
      - name: AIRFLOW_API_VERSION
  airflow_username:
    description: User to authenticate as (HTTP Basic on Airflow 2, exchanged for a JWT on Airflow 3).
    type: str
    env:
      - name: AIRFLOW_USERNAME
  airflow_password:
    description: Password of O(airflow_username).
    type: str
    env:
      - name: AIRFLOW_PASSWORD
  airflow_token:
    description: A ready bearer token, used instead of O(airflow_username)/O(airflow_password).
    type: str
    env:
      - name: AIRFLOW_TOKEN
  validate_certs:
    description: Verify the server's TLS certificate.
    type: bool
    default: true
  ca_path:
    description: A CA bundle (PEM) to verify the server's certificate with.
    type: path
  client_cert:
    description: A PEM client certificate for mutual TLS.
    type: path
  client_key:
    description: The PEM private key of O(client_cert).
    type: path
  timeout:
    description: Seconds to wait for each HTTP request.
    type: int
    default: 30
  retries:
    description: How many times to retry a request after a connection error or an HTTP 429, 500, 502, 503 or 504.
    type: int
    default: 3
notes:
  - Like every lookup, it runs on the controller, when the template is rendered.
requirements:
  - requests (Python library, on the controller)
seealso:
  - module: dagops.airflow.airflow_variable
  - module: dagops.airflow.airflow_variable_info
"""

EXAMPLES = r"""
- name: Use a variable in a template
  ansible.builtin.debug:
    msg: "Running in {{ lookup('dagops.airflow.airflow_variable', 'environment',
                               airflow_url='http://127.0.0.1:8080', airflow_username='admin',
                               airflow_password=vault_airflow_password) }}"

- name: Several keys at once, JSON decoded, with a default for a missing one (the connection from the environment)
  # export AIRFLOW_URL=http://127.0.0.1:8080 AIRFLOW_USERNAME=admin AIRFLOW_PASSWORD=... before ansible-playbook
  ansible.builtin.set_fact:
    settings: "{{ query('dagops.airflow.airflow_variable', 'etl_settings', 'not_there', deserialize_json=true,
                        default={}) }}"
"""

RETURN = r"""
_raw:
  description: The value of each key, in the order of the terms (a string, or the decoded JSON with O(deserialize_json)).
  type: list
  elements: raw
"""

import json

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.dagops.airflow.plugins.module_utils.api import MASKED
from ansible_collections.dagops.airflow.plugins.module_utils.client import HAS_REQUESTS, AirflowClient, AirflowError

NO_DEFAULT = object()


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if not HAS_REQUESTS:
            raise AnsibleLookupError("the dagops.airflow.airflow_variable lookup needs the Python library 'requests' "
                                     "on the controller")
        default = self.get_option("default") if "default" in kwargs else NO_DEFAULT
        try:
            client = AirflowClient(
                self.get_option("airflow_url"), api_version=self.get_option("api_version"),
                username=self.get_option("airflow_username"), password=self.get_option("airflow_password"),
                token=self.get_option("airflow_token"), validate_certs=self.get_option("validate_certs"),
                ca_path=self.get_option("ca_path"), client_cert=self.get_option("client_cert"),
                client_key=self.get_option("client_key"), timeout=self.get_option("timeout"),
                retries=self.get_option("retries"))
            return [read_value(client, str(key), default, self.get_option("deserialize_json")) for key in terms]
        except AirflowError as err:
            raise AnsibleLookupError(str(err))


def read_value(client, key, default=NO_DEFAULT, deserialize_json=False):
    """The value of variable ``key``; ``default`` where the server has no such key."""
    api = client.connect()
    found = client.get_or_none(api.path("variables", key))
    if found is None:
        if default is NO_DEFAULT:
            raise AnsibleLookupError("Airflow has no variable %r (GET %s answered 404); set default= to use a value "
                                     "in its place" % (key, client.url(api.path("variables", key))))
        return default
    value = found.get("value")
    if value == MASKED:
        raise AnsibleLookupError(
            "Airflow masks the value of variable %r (its key holds a sensitive word, so the API answers ***); "
            "a lookup cannot read it. Read it where Airflow runs (Variable.get) or keep it in a vault" % key)
    if not deserialize_json:
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError) as err:
        raise AnsibleLookupError("variable %r is not JSON (%s); leave deserialize_json false to read it as text"
                                 % (key, getattr(err, "msg", err)))
