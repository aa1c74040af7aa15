# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""What every API module shares: connection options, the client, and how failures are reported."""

from __future__ import annotations

import os

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.dagops.airflow.plugins.module_utils.client import (
    HAS_REQUESTS, PLUGIN_TOKEN_HEADER, AirflowClient, AirflowError,
)
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import (
    SECRETS_POLICIES, Reconciler, ReconcileError,
)

# Documented once in plugins/doc_fragments/connection.py.
CONNECTION_ARGSPEC = dict(
    airflow_url=dict(type="str", required=True, fallback=(env_fallback, ["AIRFLOW_URL"])),
    api_version=dict(type="str", default="auto", choices=["auto", "v1", "v2"],
                     fallback=(env_fallback, ["AIRFLOW_API_VERSION"])),
    # Read from CREDENTIAL_ENV_VARS by credentials_from_environment, not by an env_fallback.
    airflow_username=dict(type="str"),
    airflow_password=dict(type="str", no_log=True),
    airflow_token=dict(type="str", no_log=True),
    validate_certs=dict(type="bool", default=True),
    ca_path=dict(type="path"),
    client_cert=dict(type="path"),
    client_key=dict(type="path", no_log=False),
    timeout=dict(type="int", default=30),
    retries=dict(type="int", default=3),
    rest_api_plugin_token=dict(type="str", no_log=True, fallback=(env_fallback, ["AIRFLOW_REST_API_PLUGIN_TOKEN"])),
    rest_api_plugin_token_header=dict(type="str", default=PLUGIN_TOKEN_HEADER, no_log=False),
)

BASIC_CREDENTIALS = ("airflow_username", "airflow_password")
# A password without its user (or the reverse) would be sent as an empty one, and a token next to
# them would silently win: both are refused, for the task's options and the environment's alike.
CREDENTIAL_RULES = dict(
    required_together=[BASIC_CREDENTIALS],
    mutually_exclusive=[("airflow_token", option) for option in BASIC_CREDENTIALS],
)
CREDENTIAL_ENV_VARS = dict(airflow_username="AIRFLOW_USERNAME", airflow_password="AIRFLOW_PASSWORD",
                           airflow_token="AIRFLOW_TOKEN")


def credentials_from_environment(task_params, environ):
    """The credential options that ``task_params`` leave unset, read from ``environ``.

    The task (with its module_defaults) chooses the kind of credentials: once it sets
    airflow_token, AIRFLOW_USERNAME and AIRFLOW_PASSWORD are not read, and once it sets
    airflow_username or airflow_password, AIRFLOW_TOKEN is not; so a token exported in the shell
    never conflicts with a login written in the playbook. A task that sets none takes all three
    from the environment, where both kinds at once are refused like in a task. Empty values count
    as unset.
    """
    given = set(option for option in CREDENTIAL_ENV_VARS if task_params.get(option) not in (None, ""))
    if "airflow_token" in given:
        readable = {"airflow_token"}
    elif given:
        readable = set(BASIC_CREDENTIALS)
    else:
        readable = set(CREDENTIAL_ENV_VARS)
    found = {}
    for option in sorted(readable - given):
        value = environ.get(CREDENTIAL_ENV_VARS[option])
        if value:
            found[option] = value
    return found


def with_credential_rules(module_kwargs):
    """``module_kwargs`` (AnsibleModule's) with CREDENTIAL_RULES added to the module's own rules."""
    merged = dict(module_kwargs)
    for rule, groups in CREDENTIAL_RULES.items():
        merged[rule] = list(merged.get(rule) or []) + list(groups)
    return merged


def secrets_policy_option():
    """The option that chooses how stored secrets are handled (update_password, update_secrets)."""
    return dict(type="str", default="auto", choices=list(SECRETS_POLICIES), no_log=False)


def wait_options(wait_timeout, poll_interval=3):
    """wait_timeout and poll_interval (the module's own defaults), checked by wait_option_problem."""
    return dict(wait_timeout=dict(type="int", default=wait_timeout),
                poll_interval=dict(type="int", default=poll_interval))


def wait_option_problem(params):
    if "wait_timeout" not in params:
        return None
    if params["wait_timeout"] < 0 or params["poll_interval"] <= 0:
        return "wait_timeout must be 0 or more and poll_interval more than 0 seconds"
    return None


class AirflowModule(AnsibleModule):
    """An AnsibleModule with the connection options, a lazily built client and one error path."""

    def __init__(self, argument_spec, **kwargs):
        spec = dict(CONNECTION_ARGSPEC)
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        super().__init__(argument_spec=spec, **with_credential_rules(kwargs))
        if not HAS_REQUESTS:
            self.fail_json(msg=missing_required_lib("requests"))
        if self.params["timeout"] <= 0:
            self.fail_json(msg="timeout must be a positive number of seconds, got %s" % self.params["timeout"])
        if self.params["retries"] < 0:
            self.fail_json(msg="retries must be 0 or more, got %s" % self.params["retries"])
        if wait_option_problem(self.params):
            self.fail_json(msg=wait_option_problem(self.params))
        self._client = None

    def _load_params(self):
        # The environment's credentials join the task's before Ansible validates them, so that
        # CREDENTIAL_RULES hold for both (an env_fallback could not see what the task chose).
        super()._load_params()
        for option in CREDENTIAL_ENV_VARS:
            if self.params.get(option) in (None, ""):
                self.params.pop(option, None)
        self.params.update(credentials_from_environment(self.params, os.environ))

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
