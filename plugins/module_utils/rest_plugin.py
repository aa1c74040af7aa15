# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Finding the collection's REST plugin on a server (roles/rest_api_plugin, docs/rest_api_plugin.md):
where it serves, the shared secret its paths take, and whether it answers with a capability."""

from __future__ import annotations

import threading

from ansible_collections.dagops.airflow.plugins.module_utils.errors import (
    AirflowError, is_json, json_object_with, server_message,
)

PLUGIN_PREFIX = "rest_api/"
PLUGIN_VERSION_PATH = PLUGIN_PREFIX + "v1/version"
PLUGIN_TOKEN_HEADER = "rest_api_plugin_http_token"
PLUGIN_HINT = "install the collection's REST plugin with the dagops.airflow.rest_api_plugin role"


def is_plugin_path(path):
    return path.lstrip("/").startswith(PLUGIN_PREFIX)


class RestPlugin:
    """The plugin as one client sees it, asked once.

    ``token``: the plugin's optional shared secret, sent to the plugin's paths only, under
    ``header`` with hyphens, not underscores: gunicorn (Airflow 2's webserver) drops header names
    with underscores, and the plugin accepts either spelling of the configured name.
    """

    def __init__(self, client, token=None, header=PLUGIN_TOKEN_HEADER):
        self.client = client
        self.token = token
        self.header = (header or PLUGIN_TOKEN_HEADER).replace("_", "-")
        self._info = None       # the plugin's /version answer once asked; False when it does not answer
        self.problem = None     # why the plugin cannot be used, when it cannot
        self._lock = threading.Lock()   # asked once, even by threads that ask at the same time

    def headers_for(self, path):
        """The shared secret's header for a request to ``path``: only for the plugin's own paths."""
        return {self.header: self.token} if self.token and is_plugin_path(path) else {}

    def info(self):
        """The plugin's ``GET rest_api/v1/version`` answer, or None.

        None when no plugin answers (404, or Airflow 3's UI page) or when it refuses this user
        (not an admin, a wrong shared secret); ``problem`` then says why, for modules that cannot
        go on without it.
        """
        with self._lock:
            if self._info is None:
                self._ask()
        return self._info or None

    def _ask(self):
        response = self.client.request("GET", PLUGIN_VERSION_PATH, ok=(200, 401, 403, 404))
        info = json_object_with(response, "plugin_version")
        if info is not None:
            self._info, self.problem = info, None
        elif response.status_code in (401, 403) and is_json(response):
            self._info = False
            self.problem = "the REST plugin refused this user (HTTP %s: %s); it serves admins only, " \
                "and checks rest_api_plugin_token where a shared secret is set" % (
                    response.status_code, server_message(response))
        else:
            self._info = False
            self.problem = "the collection's REST plugin does not answer at %s (%s)" % (
                self.client.url(PLUGIN_VERSION_PATH), PLUGIN_HINT)

    def require(self, capability=None):
        """The plugin's version answer; fail with what to do when it is missing or lacks ``capability``."""
        info = self.info()
        if info is None:
            raise AirflowError(self.problem)
        if capability and capability not in (info.get("capabilities") or ()):
            raise AirflowError("the REST plugin %s on this server has no %r capability; upgrade it (%s)"
                               % (info.get("plugin_version"), capability, PLUGIN_HINT))
        return info
