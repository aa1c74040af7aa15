# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""What every API module shares: connection options, the client, and how failures are reported."""

from __future__ import annotations

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.dagops.airflow.plugins.module_utils.client import (
    HAS_REQUESTS, PLUGIN_TOKEN_HEADER, AirflowClient, AirflowError,
)
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
    rest_api_plugin_token=dict(type="str", no_log=True, fallback=(env_fallback, ["AIRFLOW_REST_API_PLUGIN_TOKEN"])),
    rest_api_plugin_token_header=dict(type="str", default=PLUGIN_TOKEN_HEADER, no_log=False),
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
                timeout=p["timeout"], retries=p["retries"],
                plugin_token=p["rest_api_plugin_token"], plugin_token_header=p["rest_api_plugin_token_header"])
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

    def exit_json(self, **kwargs):
        self._warn_retries()
        super().exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self._warn_retries()
        super().fail_json(msg, **kwargs)

    def _warn_retries(self):
        """Each request the client sent again becomes a warning in the result, succeeded or failed."""
        client = getattr(self, "_client", None)     # None until the first call, and in __init__'s checks
        if client is not None:
            for text in client.warnings:
                self.warn(text)
            del client.warnings[:]


class BulkForm:
    """The two forms of a module that manages many objects of one kind: the single form (the
    item's options at the top level, the object named by ``id_option``) and the bulk form (a
    list of items in ``list_option``, with ``exclusive`` and ``exclude``)."""

    def __init__(self, id_option, list_option, item_options):
        self.id_option = id_option
        self.list_option = list_option
        self.item_options = item_options    # a function: a fresh item argspec on every call

    def argument_spec(self, **module_options):
        single = self.item_options()
        # Required in each list item; at the top level, required only when the list is absent.
        single[self.id_option] = dict(single[self.id_option], required=False)
        spec = dict(single)
        spec[self.list_option] = dict(type="list", elements="dict", options=self.item_options())
        spec.update(exclusive=dict(type="bool", default=False), exclude=dict(type="list", elements="str", default=[]))
        spec.update(module_options)
        return spec

    def module_kwargs(self):
        pair = (self.id_option, self.list_option)
        return dict(mutually_exclusive=[pair], required_one_of=[pair])

    def is_single(self, params):
        return params[self.id_option] is not None

    def declared(self, module):
        """The declared items: the single form as a list of one, else the bulk form's list."""
        p = module.params
        if not self.is_single(p):
            return p[self.list_option]
        if p["exclusive"] or p["exclude"]:
            module.fail_json(msg="exclusive and exclude apply to the bulk form: declare the %s in '%s'"
                             % (self.list_option, self.list_option))
        return [p]

    def ensure(self, module, engine, items):
        """``items``: (ident, desired, state) for each declared item, in the order declared."""
        p = module.params
        if self.is_single(p):
            return engine.ensure_one(*items[0])
        return engine.ensure_many(items, exclusive=p["exclusive"], exclude=p["exclude"])
