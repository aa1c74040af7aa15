"""airflow_deploy_dag integration target: a version that fails to import."""
from airflow_deploy_dag_it_missing_module import something  # noqa: F401  # the import error under test
