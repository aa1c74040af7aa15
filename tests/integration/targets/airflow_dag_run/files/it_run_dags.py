"""DAGs for the airflow_dag_run integration target: one that succeeds, one that fails.

Tiny tasks with no retries, so a run ends within seconds on Airflow 2.11 and 3.3.
"""
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task

DEFAULTS = {"retries": 0}

with DAG("it_run_good", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args=DEFAULTS, tags=["dagops-it"]):

    @task
    def say_hello():
        print("hello")

    say_hello()

with DAG("it_run_failing", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args=DEFAULTS, tags=["dagops-it"]):

    @task
    def boom():
        raise RuntimeError("it_run_failing fails on purpose")

    @task
    def after_boom():
        print("never runs: its upstream failed")

    boom() >> after_boom()
