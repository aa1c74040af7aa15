# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""What every API module shares: connection options, the client, and how failures are reported."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.dagops.airflow.plugins.module_utils.client import HAS_REQUESTS, AirflowClient, AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Reconciler, ReconcileError

# Documented once in plugins/doc_fragments/connection.py.
CONNECTION_ARGSPEC = dict(
    airflow_url=dict(type="str", required=True, fallback=(env_fallback, ["AIRFLOW_URL"])),
    api_version=dict(type="str", default="auto", choices=["auto", "v1", "v2"],
                     fallback=(env_fallback, ["AIRFLOW_API_VERSION"])),
    airflow_username=dict(type="str", fallback=(env_fallback, ["AIRFLOW_USERNAME"])),
    airflow_password=dict(type="str", no_log=True, fallback=(env_fallback, ["AIRFLOW_PASSWORD"])),
    airflow_token=dict(type="str", no_log=True, fallback=(env_fallback, ["AIRFLOW_TOKEN"])),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    client_cert=dict(type="path"),
    client_key=dict(type="path", no_log=False),
    timeout=dict(type="int", default=30),
    retries=dict(type="int", default=3),
)


class AirflowModule(AnsibleModule):
    """An AnsibleModule with the connection options, a lazily built client and one error path."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        super().__init__(argument_spec=spec, **kwargs)
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"))
        if self.params["timeout"] <= 0:
            self.fail_json(msg="timeout must be a positive number of seconds, got %s" % self.params["timeout"])
        if self.params["retries"] < 0:
            self.fail_json(msg="retries must be 0 or more, got %s" % self.params["retries"])
        self._client = None

    @property
    def client(self):
        if self._client is None:
            p = self.params
            self._client = AirflowClient(
                p["airflow_url"], api_version=p["api_version"],
                username=p["airflow_username"], password=p["airflow_password"], token=p["airflow_token"],
                validate_certs=p["validate_certs"], ca_path=p["ca_path"],
                client_cert=p["client_cert"], client_key=p["client_key"],
                timeout=p["timeout"], retries=p["retries"])
        return self._client

    def hide(self, value):
        """Keep a secret out of every result, diff, warning and invocation echo."""
        if value not in (None, ""):
            self.no_log_values.add(str(value))

    def reconciler(self, resource, secrets_policy="on_create"):
        return Reconciler(self.client, resource, check_mode=self.check_mode,
                          secrets_policy=secrets_policy, register_secret=self.hide)

    def run(self, action):
        """Call ``action()`` and exit with its result; an API failure becomes one clear line."""
        try:
            result = action()
        except AirflowError as err:
            self.fail_json(msg=str(err), **err.to_result())
        except ReconcileError as err:
            self.fail_json(msg=str(err), **err.result)
        if self.client.api is not None:
            result.setdefault("api_version", self.client.api.version)
        if not self._diff:
            result.pop("diff", None)
        self.exit_json(**result)
