"""The old plugin's `connections` call, in-process through Airflow's Connection model: list (or
nothing), add (conn_uri, or conn_type and the separate fields), delete. The list never shows
passwords or extras."""
# pylint: disable=import-outside-toplevel
from dagops_rest_api.legacy_calls import LegacyCallError, handler, optional
from dagops_rest_api.legacy_envelope import is_set

FIELDS = (("conn_host", "host"), ("conn_login", "login"), ("conn_password", "password"),
          ("conn_schema", "schema"), ("conn_port", "port"), ("conn_extra", "extra"))
LISTED = ("conn_id", "conn_type", "host", "port", "schema", "login")


def _session():
    from airflow.utils.session import create_session

    return create_session()


def _find(session, conn_id):
    from airflow.models.connection import Connection
    from sqlalchemy import select

    return session.scalar(select(Connection).where(Connection.conn_id == conn_id).limit(1))


def list_connections():
    from airflow.models.connection import Connection
    from sqlalchemy import select

    with _session() as session:
        rows = session.scalars(select(Connection).order_by(Connection.conn_id)).all()
        lines = [" | ".join(LISTED)]
        lines += [" | ".join("" if getattr(row, name) is None else str(getattr(row, name)) for name in LISTED)
                  for row in rows]
    return "\n".join(lines)


def connection_fields(args):
    """Connection(...) keyword arguments from conn_uri or conn_type and the separate fields."""
    uri, conn_type = optional(args, "conn_uri"), optional(args, "conn_type")
    fields = {attribute: args[name] for name, attribute in FIELDS if optional(args, name) is not None}
    if uri and conn_type:
        raise LegacyCallError(400, "api=connections&add: give conn_uri or conn_type, not both")
    if uri:
        if set(fields) - {"extra"}:
            raise LegacyCallError(400, "api=connections&add: with conn_uri only conn_extra may be added")
        return dict(fields, uri=uri)
    if not conn_type:
        raise LegacyCallError(400, "api=connections&add needs conn_uri, or conn_type (with conn_host, "
                                   "conn_login, conn_password, conn_schema, conn_port, conn_extra as needed)")
    if "port" in fields:
        try:
            fields["port"] = int(fields["port"])
        except ValueError:
            raise LegacyCallError(400, f"conn_port must be a number, not {fields['port']!r}") from None
    return dict(fields, conn_type=conn_type)


def add_connection(args):
    from airflow.models.connection import Connection

    conn_id = optional(args, "conn_id")
    if conn_id is None:
        raise LegacyCallError(400, "api=connections&add needs conn_id")
    fields = connection_fields(args)
    try:
        connection = Connection(conn_id=conn_id, **fields)
    except (ValueError, TypeError) as error:
        raise LegacyCallError(400, f"cannot add connection {conn_id}: {error}") from None
    with _session() as session:
        if _find(session, conn_id) is not None:
            raise LegacyCallError(400, f"A connection with `conn_id`={conn_id} already exists")
        session.add(connection)
    return f"Successfully added `conn_id`={conn_id} : {connection.conn_type}"


def delete_connection(args):
    conn_id = optional(args, "conn_id")
    if conn_id is None:
        raise LegacyCallError(400, "api=connections&delete needs conn_id")
    with _session() as session:
        found = _find(session, conn_id)
        if found is None:
            raise LegacyCallError(400, f"Did not find a connection with `conn_id`={conn_id}")
        session.delete(found)
    return f"Successfully deleted `conn_id`={conn_id}"


@handler("connections")
def connections(_service, envelope, call):
    args = call.args
    conn_id = optional(args, "conn_id") or ""
    if is_set(args, "add") and is_set(args, "delete"):
        raise LegacyCallError(400, "api=connections: add and delete are exclusive")
    if is_set(args, "add"):
        envelope.airflow_cmd = f"airflow connections add {conn_id}"
        return add_connection(args)
    if is_set(args, "delete"):
        envelope.airflow_cmd = f"airflow connections delete {conn_id}"
        return delete_connection(args)
    envelope.airflow_cmd = "airflow connections list"
    return list_connections()
