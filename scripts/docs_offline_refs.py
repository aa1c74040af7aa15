# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""A Sphinx extension for `make docs` (scripts/docs.sh): build the docsite without network.

The conf.py that `antsibull-docs sphinx-init` writes fetches intersphinx inventories (Python,
Jinja, the Ansible docs) from the internet. Without them, under `sphinx-build -W`, the build
fails on the unreachable inventories and on every reference to the Ansible docs that
antsibull-docs writes (`ansible.builtin.copy`, "common return values", ...). So this extension
drops the inventories (unless DAGOPS_DOCS_INTERSPHINX=1) and resolves the references of those
known kinds to their page on docs.ansible.com. Any other missing reference still warns, and so
still fails the build: a broken reference of our own is never hidden.
"""

from __future__ import annotations

import os
import re

from docutils import nodes

ANSIBLE_DOCS = "https://docs.ansible.com/projects/ansible/latest/"
# Labels of the Ansible docs that antsibull-docs' templates refer to.
ANSIBLE_LABELS = {
    "common_return_values": "reference_appendices/common_return_values.html",
    "action_plugins": "plugins/action.html",
    "ansible_configuration_settings": "reference_appendices/config.html",
}
# A plugin page of another collection: ansible_collections.<namespace>.<name>.<plugin>_<type>.
PLUGIN_LABEL = re.compile(r"^ansible_collections\.(\w+)\.(\w+)\.(\w+_\w+)$")
OWN_COLLECTION = ("dagops", "airflow")


def external_url(target):
    """The docs.ansible.com page of a label outside this collection, or None."""
    if target in ANSIBLE_LABELS:
        return ANSIBLE_DOCS + ANSIBLE_LABELS[target]
    match = PLUGIN_LABEL.match(target)
    if match and match.group(1, 2) != OWN_COLLECTION:
        namespace, name, page = match.groups()
        return "%scollections/%s/%s/%s.html" % (ANSIBLE_DOCS, namespace, name, page)
    return None


def resolve(app, env, node, contnode):
    if node.get("refdomain") != "std" or node.get("reftype") != "ref":
        return None
    url = external_url(node.get("reftarget", ""))
    if url is None:
        return None
    reference = nodes.reference("", "", internal=False, refuri=url)
    reference.append(contnode)
    return reference


def drop_inventories(app, config):
    if os.environ.get("DAGOPS_DOCS_INTERSPHINX") != "1":
        config.intersphinx_mapping = {}


def setup(app):
    app.connect("config-inited", drop_inventories)
    app.connect("missing-reference", resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
