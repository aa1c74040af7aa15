"""The demo's sample DAG: greets whoever the run's conf names, then reports how it went.

Deployed into the local Airflow's dags folder by playbooks/demo.yml (airflow_deploy_dag, through
the collection's REST plugin), which then unpauses it, triggers it once per version of this file
and waits for the run.
"""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

with DAG(
    "dagops_demo_hello",
    description="dagops.airflow demo: deployed, unpaused, triggered and waited for by Ansible",
    schedule=None,
    start_date=datetime(2024, 1, 1),
    catchup=False,
    default_args={"retries": 0},
    tags=["dagops-demo"],
):

    @task
    def greet(dag_run=None):
        name = (dag_run.conf or {}).get("greet", "world")
        print("Hello, %s!" % name)
        return name

    @task
    def report(name):
        print("Greeted %s; the run is done." % name)

    report(greet())
