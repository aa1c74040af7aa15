"""A DAG file that fails to import, for airflow_dag_info's import errors (the word DAG makes Airflow parse it)."""
raise RuntimeError("it_info_broken fails to import on purpose")
