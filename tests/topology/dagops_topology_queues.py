"""Two tasks routed to the Celery queues q2 and q3; each returns the AIRFLOW_HOME of the worker that ran it."""
import os
from datetime import datetime

from airflow.sdk import dag, task


@dag(dag_id="dagops_topology_queues", schedule=None, start_date=datetime(2024, 1, 1), catchup=False)
def dagops_topology_queues():
    @task(queue="q2")
    def on_q2():
        return os.environ["AIRFLOW_HOME"]

    @task(queue="q3")
    def on_q3():
        return os.environ["AIRFLOW_HOME"]

    on_q2() >> on_q3()


dagops_topology_queues()
