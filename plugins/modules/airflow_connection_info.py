#!/usr/bin/python
# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: airflow_connection_info
short_description: Read Airflow connections in the shape airflow_connection takes
version_added: 0.2.0
description:
  - Reads Airflow connections through the REST API of Airflow 2.11+ (API v1) and Airflow 3 (API v2) and returns them
    as the items of M(dagops.airflow.airflow_connection)'s O(dagops.airflow.airflow_connection#module:connections)
    list, so the result can be fed back to that module.
  - Passwords never come back. On Airflow 3 a connection that has one is named in RV(masked); Airflow 2's API never
    tells whether there is one, so every connection's password is named in RV(not_shown) there.
  - In O(dagops.airflow.airflow_connection#module:connections[].extra), the value of every key that is secret (masked
    by the server as C(***), or named with a sensitive word) is V(null) and named in RV(masked) as
    C(conn_id.extra.key); an extra that is not a JSON object comes back as V(null) and is named as C(conn_id.extra).
  - Changes nothing.
author:
  - dagops.airflow contributors (@dagops)
extends_documentation_fragment:
  - dagops.airflow.connection
  - dagops.airflow.connection.INFO_ATTRIBUTES
options:
  conn_ids:
    description:
      - Only the connections with these ids. Ids the server does not have are listed in RV(missing).
      - When neither O(conn_ids) nor O(pattern) is set, every connection is returned.
    type: list
    elements: str
    aliases: [conn_id]
  pattern:
    description:
      - Only the connections whose id matches this glob pattern (C(fnmatch), case-sensitive).
    type: str
notes:
  - On Airflow 2 the list answer leaves out C(extra), so the module reads each selected connection on its own.
  - Feeding an item back keeps the stored password (V(null) means "not managed"); a V(null) inside C(extra) does not
    keep the stored secret of that key, so fill such keys in (from a vault) before writing C(extra) back.
seealso:
  - module: dagops.airflow.airflow_connection
"""

EXAMPLES = r"""
- name: Read every connection
  dagops.airflow.airflow_connection_info:
    airflow_url: http://127.0.0.1:8080
    airflow_username: admin
    airflow_password: "{{ vault_airflow_password }}"
  register: current

- name: Name the secrets a copy would have to fill in
  ansible.builtin.debug:
    msg: "Needs from the vault: {{ current.masked + current.not_shown }}"

- name: Read the warehouse connections only
  dagops.airflow.airflow_connection_info:
    pattern: "warehouse*"
"""

RETURN = r"""
connections:
  description:
    - The connections, sorted by id, as items of M(dagops.airflow.airflow_connection)'s
      O(dagops.airflow.airflow_connection#module:connections) list.
  returned: success
  type: list
  elements: dict
  sample: [{"conn_id": "warehouse", "conn_type": "postgres", "description": null, "host": "db.example.com",
            "login": "etl", "password": null, "schema": "analytics", "port": 5432,
            "extra": {"sslmode": "require", "api_token": null}}]
  contains:
    conn_id:
      description: The connection id.
      type: str
    conn_type:
      description: The connection type.
      type: str
    description:
      description: The description.
      type: str
    host:
      description: The host.
      type: str
    login:
      description: The login.
      type: str
    password:
      description: Always V(null); see RV(masked) and RV(not_shown).
      type: str
    schema:
      description: The schema.
      type: str
    port:
      description: The port.
      type: int
    extra:
      description: The extra fields as a dict, secret keys V(null); V(null) when there are none.
      type: dict
    team_name:
      description:
        - The team it belongs to (Airflow 3.2's multi-team mode); there only when it has one.
      type: str
      version_added: 0.2.0
masked:
  description: What is set on the server but returned as V(null) because it is secret.
  returned: success
  type: list
  elements: str
  sample: ["warehouse.password", "warehouse.extra.api_token"]
not_shown:
  description: Passwords that the server never shows, set or not (every connection's on Airflow 2, none on Airflow 3).
  returned: success
  type: list
  elements: str
  sample: []
missing:
  description: The ids of O(conn_ids) that the server does not have.
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
from ansible_collections.dagops.airflow.plugins.module_utils.readback import read_connections, read_selected, selection_options


def main():
    module = AirflowModule(argument_spec=selection_options("conn_ids", aliases=["conn_id"]))
    module.run(lambda: read_selected(module, "conn_ids", read_connections))


if __name__ == "__main__":
    main()
