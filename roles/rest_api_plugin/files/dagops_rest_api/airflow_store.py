"""What the plugin reads and writes in Airflow's metadata database, inside the server process.

Every Airflow import is local to a function: this module is imported by every Airflow process that
loads plugins, and by unit tests without Airflow.
"""
# pylint: disable=import-outside-toplevel
import json
import logging
import os

log = logging.getLogger(__name__)

# Airflow 3 parses the dags folder as the bundle of this name (the default bundle configuration).
DAGS_FOLDER_BUNDLE = "dags-folder"


def airflow_version():
    from airflow import __version__

    return __version__


def airflow_major():
    return int(airflow_version().split(".", 1)[0])


def api_name():
    return "v2" if airflow_major() >= 3 else "v1"


def _session():
    from airflow.utils.session import create_session

    return create_session()


def uses_fab_user_store():
    """Airflow 2 (FAB is the auth manager unless replaced) or Airflow 3 with the FAB auth manager."""
    from airflow.configuration import conf

    manager = conf.get("core", "auth_manager", fallback="") or ""
    if airflow_major() < 3:
        return not manager or "fab" in manager.lower()
    return "FabAuthManager" in manager


class AirflowStore:
    """The metadata database as the fingerprint and dag-file endpoints need it."""

    def __init__(self, dags_folder):
        self.dags_folder = dags_folder

    # --- DAGs ---------------------------------------------------------------------------------
    def dag_ids_by_file(self):
        """{relative file path: sorted DAG ids} of the DAGs Airflow currently knows (not stale)."""
        return dict((path, state["dag_ids"]) for path, state in self.parse_state_by_file().items())

    def parse_state_by_file(self):
        """{relative file path: {"dag_ids": sorted ids, "parsed_at": POSIX seconds of the latest
        parse of its DAGs or None}} of the DAGs Airflow currently knows (not stale)."""
        from airflow.models.dag import DagModel
        from sqlalchemy import select

        # Airflow 2.11 has relative_fileloc as a Python property, not a column: ask the table.
        table_columns = DagModel.__table__.columns
        columns = [DagModel.dag_id, DagModel.fileloc, DagModel.last_parsed_time]
        if "relative_fileloc" in table_columns:
            columns.append(DagModel.relative_fileloc)
        query = select(*columns)
        if "is_stale" in table_columns:  # Airflow 3
            query = query.where(DagModel.is_stale.is_(False))
        else:
            query = query.where(DagModel.is_active.is_(True))
        if "bundle_name" in table_columns:
            query = query.where(DagModel.bundle_name == DAGS_FOLDER_BUNDLE)
        by_file = {}
        with _session() as session:
            for row in session.execute(query):
                relative = self._relative_fileloc((row[0], row[1]) + tuple(row[3:]))
                if relative:
                    state = by_file.setdefault(relative, {"dag_ids": [], "parsed_at": None})
                    state["dag_ids"].append(row[0])
                    parsed = row[2].timestamp() if row[2] is not None else None
                    if parsed is not None and (state["parsed_at"] is None or parsed > state["parsed_at"]):
                        state["parsed_at"] = parsed
        for state in by_file.values():
            state["dag_ids"].sort()
        return by_file

    def _relative_fileloc(self, row):
        relative = row[2] if len(row) > 2 else None
        if not relative and row[1]:
            roots = {os.path.abspath(self.dags_folder), os.path.realpath(self.dags_folder)}
            for root in roots:
                if os.path.abspath(row[1]).startswith(root + os.sep):
                    relative = os.path.relpath(os.path.abspath(row[1]), root)
                    break
        if not relative:
            return None
        relative = relative.replace(os.sep, "/")
        # A DAG inside a zip names the module inside it: x.zip/dag.py belongs to x.zip.
        marker = relative.find(".zip/")
        return relative[:marker + 4] if marker >= 0 else relative

    def set_paused(self, dag_ids, paused):
        from airflow.models.dag import DagModel
        from sqlalchemy import update

        with _session() as session:
            session.execute(update(DagModel).where(DagModel.dag_id.in_(list(dag_ids)))
                            .values(is_paused=paused).execution_options(synchronize_session=False))

    def request_parse(self, relative, absolute):
        """Ask the DAG processor to parse this file next; False when the version cannot."""
        return self.request_parses([(relative, absolute)])

    def request_parses(self, files):
        """request_parse for many (relative, absolute) files in one session (a batch's files)."""
        try:
            from airflow.models.dagbag import DagPriorityParsingRequest
            from sqlalchemy import select
        except ImportError:
            return False
        try:
            with _session() as session:
                if "bundle_name" in DagPriorityParsingRequest.__table__.columns:  # Airflow 3
                    pending = set(session.scalars(select(DagPriorityParsingRequest.relative_fileloc).where(
                        DagPriorityParsingRequest.bundle_name == DAGS_FOLDER_BUNDLE)))
                    for relative, _absolute in files:
                        if relative not in pending:
                            session.add(DagPriorityParsingRequest(bundle_name=DAGS_FOLDER_BUNDLE,
                                                                  relative_fileloc=relative))
                else:  # Airflow 2.10+
                    pending = set(session.scalars(select(DagPriorityParsingRequest.fileloc)))
                    for _relative, absolute in files:
                        if absolute not in pending:
                            session.add(DagPriorityParsingRequest(fileloc=absolute))
            return True
        except Exception:  # pylint: disable=broad-except
            # The files are written either way; the periodic scan finds them.
            log.warning("dagops_rest_api: could not request a parse of %d files", len(files), exc_info=True)
            return False

    # --- secrets --------------------------------------------------------------------------------
    def variable_text(self, key):
        from airflow.models.variable import Variable
        from sqlalchemy import select

        with _session() as session:
            variable = session.scalar(select(Variable).where(Variable.key == key))
            return None if variable is None else variable.get_val()

    def _connection(self, session, conn_id):
        from airflow.models.connection import Connection
        from sqlalchemy import select

        return session.scalar(select(Connection).where(Connection.conn_id == conn_id))

    def connection_password(self, conn_id):
        with _session() as session:
            connection = self._connection(session, conn_id)
            return None if connection is None else connection.password

    def connection_extra_value(self, conn_id, extra_key):
        with _session() as session:
            connection = self._connection(session, conn_id)
            if connection is None or not connection.extra:
                return None
            try:
                extra = json.loads(connection.extra)
            except ValueError:
                return None
            return extra.get(extra_key) if isinstance(extra, dict) else None

    def check_user_password(self, username, candidate):
        if not uses_fab_user_store():
            return {"exists": False, "matches": False, "error": "no FAB user store"}
        from airflow.providers.fab.auth_manager.models import User
        from sqlalchemy import select
        from werkzeug.security import check_password_hash

        with _session() as session:
            user = session.scalar(select(User).where(User.username == username))
            stored = None if user is None else user.password
        if not stored:
            return {"exists": False, "matches": False}
        return {"exists": True, "matches": bool(check_password_hash(stored, candidate))}
