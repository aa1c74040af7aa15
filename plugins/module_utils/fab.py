# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Users and roles: the objects of FAB's security model, wherever the server serves them."""

from __future__ import annotations

from ansible_collections.dagops.airflow.plugins.module_utils.reconcile import Resource


class FabResource(Resource):
    """A user or a role. Airflow 2 serves them in its own API and Airflow 3 only with the FAB auth
    manager (the dialect's ``fab_path``); neither has a bulk endpoint, and FAB's own API takes a
    comma-separated update mask on every Airflow version."""

    bulk = False
    mask_names = {}     # field -> the name FAB's update mask knows it by

    def collection_path(self, api):
        return api.fab_path(self.collection)

    def item_path(self, api, ident):
        return api.fab_path(self.collection, ident)

    def update_mask(self, api, fields):
        return api.fab_update_mask([self.mask_names.get(f, f) for f in fields])
