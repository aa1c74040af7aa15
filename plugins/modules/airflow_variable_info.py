#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_variable_info
short_description: Read Airflow variables in the shape airflow_variable takes
version_added: 0.2.0
description:
  - Reads Airflow variables through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2) and returns them as
    the items of M(dagops.airflow.airflow_variable)'s O(dagops.airflow.airflow_variable#module:variables) list, so
    the result can be fed back to that module.
  - A value that is a secret comes back as V(null) and is named in RV(masked); this covers the values Airflow 3 masks
    (C(***)) and, on Airflow 2, whose API shows every value, the values of keys with a sensitive word and JSON values
    with secret keys inside. A V(null) value in M(dagops.airflow.airflow_variable) means "keep the stored value".
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.INFO_ATTRIBUTES
options:
  keys:
    description:
      - Only the variables with these keys. Keys the server does not have are listed in RV(missing).
      - When neither O(keys) nor O(pattern) is set, every variable is returned.
    type: list
    elements: str
    aliases: [key]
  pattern:
    description:
      - Only the variables whose key matches this glob pattern (C(fnmatch), case-sensitive), for example C(etl_*).
    type: str
notes:
  - A variable whose key holds a word of the server's own C([core] sensitive_var_conn_names) is masked by Airflow 3
    and so reported in RV(masked); Airflow 2 shows such a value, and the module cannot know that word.
seealso:
  - module: dagops.airflow.airflow_variable
"""

EXAMPLES = r"""
- name: Read every variable
  dagops.airflow.airflow_variable_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
  register: current

- name: Read the ETL settings only
  dagops.airflow.airflow_variable_info:
    pattern: "etl_*"
  register: etl

- name: Copy them to another Airflow; masked values are left as they are there
  dagops.airflow.airflow_variable:
    airflow_url: http://127.0.0.1:8080
    variables: "{{ etl.variables }}"
"""

RETURN = r"""
variables:
  description:
    - The variables, sorted by key, as items of M(dagops.airflow.airflow_variable)'s
      O(dagops.airflow.airflow_variable#module:variables) list.
  returned: success
  type: list
  elements: dict
  sample: [{"key": "environment", "value": "production", "description": "Where the DAGs run"},
           {"key": "db_password", "value": null, "description": null}]
  contains:
    key:
      description: The key.
      type: str
    value:
      description: The value as the server stores it (a string; JSON stays JSON text), V(null) for a secret.
      type: str
    description:
      description: The description.
      type: str
    team_name:
      description:
        - The team it belongs to (Airflow 3.2's multi-team mode); there only when it has one.
      type: str
      version_added: 0.2.0
masked:
  description: The values returned as V(null) because they are secrets, as C(key.value).
  returned: success
  type: list
  elements: str
  sample: ["db_password.value"]
missing:
  description: The keys of O(keys) that the server does not have.
  returned: success
  type: list
  elements: str
  sample: []
api_version:
  description: The REST API version that was used.
  returned: success
  type: str
  sample: v2
"""

from ansible_collections.dagops.airflow.plugins.module_utils.module import AirflowModule
from ansible_collections.dagops.airflow.plugins.module_utils.readback import read_variables, read_selected, selection_options


def main():
    module = AirflowModule(argument_spec=selection_options("keys", aliases=["key"], no_log=False))
    module.run(lambda: read_selected(module, "keys", read_variables))


if __name__ == "__main__":
    main()
