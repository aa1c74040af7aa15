"""DAG for the airflow_task_instance integration target.

``flaky`` fails until the file it_ti_ok.flag exists next to this file, so a test can make a run
fail, then fix the cause and clear the task; ``report`` runs after it and renders the run's
conf (a secret) into its environment, which the module must never show.
"""
import os
from datetime import datetime

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG, task
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.decorators import task
    from airflow.operators.bash import BashOperator

MARKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "it_ti_ok.flag")

with DAG("it_ti_flaky", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
         default_args={"retries": 0}, tags=["dagops-it"]):

    @task
    def flaky():
        if not os.path.exists(MARKER):
            raise RuntimeError("it_ti_flaky fails until %s exists" % MARKER)

    report = BashOperator(task_id="report", bash_command='test -n "$CONF_TOKEN"',
                          env={"CONF_TOKEN": "{{ dag_run.conf.get('api_token', 'none') }}"})

    flaky() >> report
