# dagops.airflow: every command sets up what it needs (cached under ~/.cache/dagops-airflow).
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help test docs docs-lint lint sanity sanity-2.21 units release-check integration reliability molecule topology demo demo-stop bench clean

help:
	@echo "make demo       install and start a local Airflow 3.3 on 127.0.0.1:8080 (playbooks/bootstrap.yml),"
	@echo "                then apply playbooks/site.yml, deploy_dags.yml and demo.yml to it"
	@echo "make demo-stop  stop it"
	@echo "make test       lint, docs lint, sanity, unit and integration tests against real Airflow 2.11 and 3.3 (every target),"
	@echo "                3.0, 3.1 and 3.2 (every module once), the 3.4 pre-release (reported, not failing), role tests, topology"
	@echo "make integration FLAVORS=\"3.2\"  one server: 2.11 3.3 3.3-fab (full), 3.0 3.1-fab 3.2 3.4 (quick profile)"
	@echo "make topology   one Airflow 3.3 on PostgreSQL + Celery/Redis over three AIRFLOW_HOMEs (role, real servers)"
	@echo "make bench      100 and 1000 variables: bulk form, single-form loop, uri loop, CLI import; GitOps DAG sync"
	@echo "make docs       build the docsite (antsibull-docs, Sphinx) into .cache/docs/site/build/html/"
	@echo "make release-check  build the galaxy tarball, install and check it on ansible-core 2.19 and 2.21"

test:
	scripts/test.sh

lint:
	scripts/lint.sh

docs:
	scripts/docs.sh

docs-lint:
	scripts/docs.sh lint

sanity:
	scripts/sanity.sh 2.19

sanity-2.21:
	scripts/sanity.sh 2.21

units:
	scripts/units.sh

release-check:
	scripts/release_check.sh

integration:
	scripts/integration.sh $(FLAVORS)

reliability:
	scripts/reliability.sh

molecule:
	scripts/molecule.sh $(FLAVORS)

topology:
	scripts/topology.sh

demo:
	scripts/demo.sh

demo-stop:
	scripts/demo.sh stop

bench:
	tests/bench/run.sh

clean:
	rm -rf "$${TMPDIR:-/tmp}/dagops-airflow-build" tests/output
