"""airflow_deploy_dag integration target: a version that fails to import."""
import airflow_deploy_dag_it_missing_module  # the import error under test

airflow_deploy_dag_it_missing_module.build_dag()
