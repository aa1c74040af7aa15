"""Unit tests import the collection as ansible_collections.dagops.airflow: see the Makefile's `stage`."""
