#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_cfg
short_description: Set options in an Airflow configuration file (airflow.cfg), keeping its comments
version_added: 0.1.0
description:
  - Sets, changes or removes options of an INI file such as C(airflow.cfg), on the host it runs on.
    Every other line stays as it is, comments, blank lines, order and the other keys included.
  - Reads the file by the rules of Python's C(configparser), which Airflow uses, so what it compares is
    what Airflow reads. Keys are case-insensitive (an existing key keeps its spelling), section names
    are case-sensitive (Airflow's are lower case). A file with a duplicate section or key, or with a
    line that is neither a section, an option nor a comment, is refused, as Airflow refuses it.
  - Returns the values the file holds once changed (RV(settings)), so a play can read, for example, C([core] plugins_folder).
  - The values of secret options are never shown, in the result, the diff or an error message; they
    appear as C(********), followed by the word C(changed) in parentheses in the diff's new text when
    the value changes. Secret keys are those that contain C(fernet_key), C(sql_alchemy_conn) or one of the words by which
    Airflow's secrets masker hides connection and variable fields (the same list as the API modules use, C(password),
    C(secret), C(token), C(api_key), C(private_key), C(access_key), C(passphrase), C(dsn), C(proxy) and others, so
    C([webserver] enable_proxy_fix) is masked too), Airflow's other sensitive options (C(broker_url), C(result_backend), C(flower_basic_auth),
    C(backend_kwargs), C(sentry_dsn), C(sql_alchemy_engine_args)), and the keys listed in O(secret_keys).
  - Airflow reads environment variables (C(AIRFLOW__SECTION__KEY)) before the file; this module sees the file only.
  - Unlike the collection's API modules, it talks to no Airflow server; it is not in the
    C(group/dagops.airflow.airflow) action group.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.files
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: The sections that change, before and after, secret values masked.
  platform:
    platforms: posix
  safe_file_operations:
    support: full
    description: Writes a temporary file and moves it into place, keeping the file's owner, group and mode.
  vault:
    support: none
    description: Works on a file of the managed host, which is never vault-encrypted.
options:
  path:
    description:
      - The configuration file, usually C($AIRFLOW_HOME/airflow.cfg) (or the file E(AIRFLOW_CONFIG) names).
    type: path
    required: true
    aliases: [dest]
  sections:
    description:
      - The options to set, a dict of sections, each a dict of key and value.
      - A value of V(null) removes the key. An empty dict (the default) changes nothing and only reads the file.
      - Strings are written as they are, so they must be what the file would hold. Airflow interpolates
        C(%), so a literal C(%) is written C(%%); a value that Airflow could not read is refused.
        Booleans are written C(True)/C(False), numbers as text, lists joined with commas
        (Airflow's list options are comma-separated) and dicts as compact JSON (for example C([secrets] backend_kwargs)).
      - A key that is missing is added after the last option of its section; a missing section is added at the end of the file.
    type: dict
    default: {}
  secret_keys:
    description:
      - More keys whose values are secret, in addition to the built-in ones, matched case-insensitively
        against the key name in any section.
    type: list
    elements: str
    default: []
  return_sections:
    description:
      - The sections whose values RV(settings) returns. By default, every section.
    type: list
    elements: str
  create:
    description:
      - Create the file when it does not exist. A new file gets mode C(0600) unless O(mode) is set.
      - Off by default. Airflow writes a complete airflow.cfg, with a generated C(fernet_key), on its first
        start only when there is no file, so a file created too early stops that.
    type: bool
    default: false
  backup:
    description:
      - Keep a copy of the file, with a timestamp in its name, before changing it.
    type: bool
    default: false
seealso:
  - name: Airflow configuration reference
    description: Every option of airflow.cfg.
    link: https://airflow.apache.org/docs/apache-airflow/stable/configurations-ref.html
  - module: community.general.ini_file
"""

EXAMPLES = r"""
- name: Configure the collection's REST plugin and read the plugins folder
  dagops.airflow.airflow_cfg:
    path: /opt/airflow/airflow.cfg
    sections:
      rest_api_plugin:
        rest_api_plugin_expected_http_token: "{{ vault_plugin_token }}"
        max_file_size: 10485760
      core:
        load_examples: false
    return_sections: [core]
  register: airflow_cfg

- name: Show where Airflow loads plugins from
  ansible.builtin.debug:
    msg: "{{ airflow_cfg.settings.core.plugins_folder | default('(default)') }}"

- name: Remove an option, keep a secret of our own out of every output
  dagops.airflow.airflow_cfg:
    path: /opt/airflow/airflow.cfg
    sections:
      webserver:
        web_server_ssl_key: null
      my_company:
        signing_key: "{{ vault_signing_key }}"
    secret_keys: [signing_key]
    backup: true
"""

RETURN = r"""
path:
  description: The file.
  returned: always
  type: str
  sample: /opt/airflow/airflow.cfg
settings:
  description:
    - The file's values once changed (in check mode, as they would be), per section, keys in lower case,
      before Airflow's interpolation. Secret values are C(********). Only the sections in O(return_sections) when set.
  returned: success
  type: dict
  sample: {"core": {"dags_folder": "/opt/airflow/dags", "fernet_key": "********"}}
changed_keys:
  description: The options that were (in check mode, would be) set or removed, as C(section.key).
  returned: success
  type: list
  elements: str
  sample: ["rest_api_plugin.max_file_size"]
backup_file:
  description: The copy made by O(backup).
  returned: when a backup was made
  type: str
  sample: /opt/airflow/airflow.cfg.12345.2026-11-21@10:00:00~
"""

import json
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.dagops.airflow.plugins.module_utils.inifile import IniDocument, IniError
from ansible_collections.dagops.airflow.plugins.module_utils.masking import is_sensitive_name

MASK = "********"
# Words of airflow.cfg's credentials that Airflow's masker (masking.SENSITIVE_WORDS) does not list,
# and Airflow's own sensitive options on top.
CFG_SECRET_WORDS = ("fernet_key", "sql_alchemy_conn")
SENSITIVE_KEYS = ("broker_url", "result_backend", "flower_basic_auth", "backend_kwargs", "sentry_dsn",
                  "sql_alchemy_engine_args")


def secret_test(extra_keys):
    extra = {key.lower() for key in extra_keys}

    def is_secret(section, key):
        key = key.lower()
        return key in extra or key in SENSITIVE_KEYS or is_sensitive_name(key, CFG_SECRET_WORDS)
    return is_secret


def as_text(section, key, value):
    """The text a YAML value becomes in the file; None (remove) stays None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(as_text(section, key, item)) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    raise IniError("[%s] %s: a value must be a string, number, boolean, list, dict or null, not %s"
                   % (section, key, type(value).__name__))


def desired_settings(sections):
    """[(section, key, text or None)] from the `sections` option; IniError on any bad input."""
    settings, seen = [], set()
    for section, options in sections.items():
        if not isinstance(options, dict):
            raise IniError("sections.%s must be a dict of key: value, not %s" % (section, type(options).__name__))
        for key, value in options.items():
            key = str(key)
            if (section, key.lower()) in seen:
                raise IniError("[%s] %s is given twice (keys are case-insensitive)" % (section, key))
            seen.add((section, key.lower()))
            settings.append((str(section), key, as_text(section, key, value)))
    return settings


def apply(document, settings):
    """Apply every setting; the (section, lower key) pairs that changed."""
    changed = []
    for section, key, value in settings:
        if document.set(section, key, value):
            changed.append((section, key.lower()))
    return changed


def shown_values(document, is_secret, return_sections):
    values = document.values()
    if return_sections is not None:
        values = {name: options for name, options in values.items() if name in return_sections}
    return {name: {key: (MASK if is_secret(name, key) and value else value) for key, value in options.items()}
            for name, options in values.items()}


def read_file(module, path, create):
    if os.path.isdir(path):
        module.fail_json(msg="%s is a directory, not a configuration file" % path)
    if not os.path.exists(path):
        if not create:
            module.fail_json(msg="%s does not exist. Airflow writes it at its first start (or set create=true)" % path)
        return None
    with open(path, "rb") as handle:
        return to_text(handle.read(), errors="surrogate_or_strict")


def write_file(module, path, text, created):
    tmp_fd, tmp_path = tempfile.mkstemp(dir=module.tmpdir)
    with os.fdopen(tmp_fd, "wb") as handle:
        handle.write(to_bytes(text, errors="surrogate_or_strict"))
    module.atomic_move(tmp_path, path, unsafe_writes=module.params["unsafe_writes"])
    if created and module.params["mode"] is None:
        os.chmod(path, 0o600)  # airflow.cfg holds secrets; Airflow writes its own with 0600 too


def run(module):
    params = module.params
    path = params["path"]
    is_secret = secret_test(params["secret_keys"])
    try:
        settings = desired_settings(params["sections"] or {})
    except IniError as exc:
        module.fail_json(msg=str(exc))
    # Hidden before anything can echo them, whatever the outcome.
    for section, key, value in settings:
        if value and is_secret(section, key):
            module.no_log_values.add(value)

    original = read_file(module, path, params["create"])
    created = original is None
    try:
        before = IniDocument(original or "")
        after = IniDocument(original or "")
        changed_pairs = apply(after, settings)
    except IniError as exc:
        module.fail_json(msg="%s: %s" % (path, exc))
    changed = bool(changed_pairs) or created

    result = dict(changed=changed, path=path, changed_keys=["%s.%s" % pair for pair in changed_pairs])
    if module._diff:
        # Only the sections that change: airflow.cfg has thousands of lines.
        touched = sorted({section for section, key in changed_pairs})
        header = "%s [%s]" % (path, ", ".join(touched))
        result["diff"] = dict(
            before_header=header, after_header=header,
            before=before.masked_text(is_secret, MASK, sections=touched),
            after=after.masked_text(is_secret, MASK, set(changed_pairs), sections=touched))
    if changed and not module.check_mode:
        if params["backup"] and not created:
            result["backup_file"] = module.backup_local(path)
        write_file(module, path, after.text(), created)
    if os.path.exists(path):
        file_args = module.load_file_common_arguments(params)
        result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    result["settings"] = shown_values(after, is_secret, params["return_sections"])
    module.exit_json(**result)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True, aliases=["dest"]),
            sections=dict(type="dict", default={}),
            secret_keys=dict(type="list", elements="str", default=[], no_log=False),
            return_sections=dict(type="list", elements="str"),
            create=dict(type="bool", default=False),
            backup=dict(type="bool", default=False),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    run(module)


if __name__ == "__main__":
    main()
