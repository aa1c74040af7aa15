# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""How a user clears a field: an option given as null.

Ansible fills every option the task leaves out with None, so after validation "not set" (leave
the field as it is) and "set to null" (empty it) look the same. The options as the task typed
them tell them apart: an option given as ``null`` (``~``) is there with the value None, one left
out (or set to ``omit``) is not. The module marks such a field CLEAR in its desired state; the
engine compares CLEAR with an empty value and writes None.
"""

from __future__ import annotations

from ansible.module_utils.basic import _load_params
from ansible_collections.dagops.airflow.plugins.module_utils.masking import DIFFERENT, compare

# What a cleared field holds on the server: Airflow answers null, or an empty string where one
# was written before.
EMPTY = (None, "")


class _Clear:
    """The desired value of a field the user gave as null."""

    def __repr__(self):
        return "CLEAR"

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


CLEAR = _Clear()


def typed_options():
    """The module's options as the task typed them, before validation fills in the ones left out.

    AnsibleModule has read them already; ``_load_params`` reads Ansible's own copy again, which is
    what ansible.module_utils.basic offers modules that need the options as they were given.
    """
    return _load_params()


def typed_items(form, params, typed):
    """The typed counterpart of each of ``form.declared()``'s items, in the same order: the
    task's top-level options for the single form, else the typed items of the bulk list."""
    if form.is_single(params):
        return [typed]
    items = typed.get(form.list_option) or []
    return [item if isinstance(item, dict) else {} for item in items]


def given_null(typed_item, clearable):
    """The options of ``clearable`` that ``typed_item`` gives as null, sorted."""
    return sorted(option for option in clearable if option in typed_item and typed_item[option] is None)


def mark_cleared(desired, typed_item, clearable):
    """``desired`` with CLEAR for every option of ``clearable`` given as null (each named like
    the field it sets)."""
    marked = dict(desired)
    marked.update((option, CLEAR) for option in given_null(typed_item, clearable))
    return marked


def differs(want, have):
    """Whether a declared value differs from the current one, CLEAR counting as any empty value."""
    if want is CLEAR:
        return have not in EMPTY
    return compare(want, have) == DIFFERENT


def written(want):
    """The value sent for a declared one: None for CLEAR."""
    return None if want is CLEAR else want


def is_value(want):
    """Whether a desired value is one to write as it is: neither left out (None) nor CLEAR."""
    return want is not None and want is not CLEAR
