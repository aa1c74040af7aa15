"""Every module must be in the action group, or module_defaults silently skip it."""

from __future__ import annotations

import os

import yaml

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
# Modules that work on the managed host's files, not through Airflow's API: outside the group,
# whose module_defaults carry the API connection.
HOST_MODULES = {"airflow_cfg"}


def test_every_module_is_in_the_airflow_action_group():
    modules = sorted(name[:-3] for name in os.listdir(os.path.join(ROOT, "plugins", "modules"))
                     if name.endswith(".py") and not name.startswith("_"))
    with open(os.path.join(ROOT, "meta", "runtime.yml")) as handle:
        group = yaml.safe_load(handle)["action_groups"]["airflow"]
    missing = sorted(set(modules) - set(group) - HOST_MODULES)
    assert modules, "no modules found"
    assert not missing, "add these modules to action_groups.airflow in meta/runtime.yml: %s" % missing
    assert sorted(set(group) - set(modules)) == [], "meta/runtime.yml lists modules that do not exist"
    assert not HOST_MODULES & set(group), "host-side modules take no API connection: keep them out of the group"
    assert HOST_MODULES <= set(modules)


def test_every_sanity_ignore_file_names_the_same_modules():
    """Each ansible-core version's ignore file carries the license entry of every module and lookup plugin
    (validate-modules reads both), and nothing else."""
    expected = sorted("plugins/%s/%s validate-modules:missing-gplv3-license" % (kind, name)
                      for kind in ("modules", "lookup") if os.path.isdir(os.path.join(ROOT, "plugins", kind))
                      for name in os.listdir(os.path.join(ROOT, "plugins", kind))
                      if name.endswith(".py") and not name.startswith("_"))
    sanity = os.path.join(ROOT, "tests", "sanity")
    files = sorted(name for name in os.listdir(sanity) if name.startswith("ignore-"))
    assert files == ["ignore-2.19.txt", "ignore-2.20.txt", "ignore-2.21.txt"]
    for name in files:
        with open(os.path.join(sanity, name)) as handle:
            assert sorted(line.strip() for line in handle if line.strip()) == expected, name
