# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""airflow_dag's reparse: ask Airflow to parse a DAG's file now, then wait for a parse that read it
after the request."""

from __future__ import annotations

import email.utils

from ansible_collections.dagops.airflow.plugins.module_utils.client import AirflowError
from ansible_collections.dagops.airflow.plugins.module_utils.dags import (
    DagWaiter, FreshParse, get_dag, parse_time, request_reparse,
)
from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import ReconcileError


def server_time(response):
    """The server's clock at its answer (the HTTP Date header), as POSIX seconds, or None."""
    try:
        stamp = email.utils.parsedate_to_datetime(response.headers.get("Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return stamp.timestamp() if stamp is not None else None


def ask_for_parse(client, dag):
    """Send parseDagFile for ``dag``'s file; the server's time of the request, or None when it has no
    Date header. Fails when this Airflow cannot take the request."""
    api = client.connect()
    token = dag.get("file_token")
    problem = ("this Airflow cannot take a parse request for DAG %r: parseDagFile needs Airflow 2.10 or later "
               "and the DAG's file_token" % dag.get("dag_id"))
    if not token:
        raise ReconcileError(problem)
    path, accepted = api.reparse_call(token)
    try:
        response = client.request("PUT", path, ok=accepted)
    except AirflowError as err:
        if err.status in (404, 405):
            raise ReconcileError(problem, **err.to_result())
        raise
    return server_time(response)


def reparse_and_wait(client, dag_id, dag_file, timeout, interval, check_mode=False):
    """The DAG after a parse that ended after the request (and, when that parse ended within the
    grace of the request, a second one, which surely started after it). In check mode, the DAG as
    it is, nothing sent."""
    dag = get_dag(client, dag_id)
    if check_mode:
        return dag
    asked = ask_for_parse(client, dag)
    if asked is None:
        asked = parse_time(dag.get("last_parsed_time")) or 0
    fresh = FreshParse(asked, replaced=True, on_early=lambda current: request_reparse(client, current))
    return DagWaiter(client, dag_id, dag_file=dag_file, timeout=timeout, interval=interval, fresh=fresh).wait()
