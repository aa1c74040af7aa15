# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""Secrets: which values are secret, how they are hidden, and how a masked value is compared."""

from __future__ import annotations

import re

from ansible_collections.dagops.airflow.plugins.module_utils.api import MASKED

# Airflow's own DEFAULT_SENSITIVE_FIELDS, the union of 2.11's and 3.3's: a key whose lower-cased
# name contains one of these is masked by the server, so we hide it too (also on Airflow 2,
# whose v1 API shows variables in clear text).
SENSITIVE_WORDS = (
    "access_token", "api_key", "apikey", "authorization", "passphrase", "passwd", "password",
    "private_key", "secret", "token", "keyfile_dict", "service_account",
    # added by Airflow 3.x
    "access_key", "auth_header", "bearer", "connection_string", "dsn", "proxy", "proxies",
    "service_key", "webhook_url",
)
HIDDEN = "<hidden>"
HIDDEN_CHANGED = "<hidden, changed>"

EQUAL = "equal"
DIFFERENT = "different"
UNVERIFIED = "unverified"  # the server masked the stored value, so we cannot tell


def is_sensitive_name(name, extra_words=()):
    lowered = str(name).strip().lower()
    # Airflow 3 also matches the name with every run of non-word characters turned into "_"
    # ("api-key" is "api_key"); Airflow 2 matches the lower-cased name as it is.
    normalized = re.sub(r"\W+", "_", lowered)
    return any(word in lowered or word in normalized for word in SENSITIVE_WORDS + tuple(extra_words))


def contains_masked(value):
    if isinstance(value, str):
        return value == MASKED
    if isinstance(value, dict):
        return any(contains_masked(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_masked(v) for v in value)
    return False


def compare(desired, current):
    """EQUAL, DIFFERENT, or UNVERIFIED where only masked parts of ``current`` could differ.

    A ``***`` in the server's answer is never taken for the real value: it matches anything
    but ``***`` as UNVERIFIED, and a difference elsewhere still counts as DIFFERENT.
    """
    if isinstance(current, str) and current == MASKED and desired != MASKED:
        return UNVERIFIED
    if isinstance(desired, dict) and isinstance(current, dict):
        if set(desired) != set(current):
            return DIFFERENT
        return _combine(compare(desired[k], current[k]) for k in desired)
    if isinstance(desired, list) and isinstance(current, list):
        if len(desired) != len(current):
            return DIFFERENT
        return _combine(compare(d, c) for d, c in zip(desired, current))
    return EQUAL if desired == current else DIFFERENT


def _combine(results):
    results = set(results)
    if DIFFERENT in results:
        return DIFFERENT
    return UNVERIFIED if UNVERIFIED in results else EQUAL


def redact(value, name=None):
    """``value`` with every secret part replaced by HIDDEN, as Airflow's own masker decides."""
    if name is not None and is_sensitive_name(name) and value is not None:
        return HIDDEN
    if isinstance(value, dict):
        return dict((k, redact(v, k)) for k, v in value.items())
    if isinstance(value, list):
        return [redact(v, name) for v in value]
    if isinstance(value, str) and value == MASKED:
        return HIDDEN
    return value


def secret_strings(value, name=None, secret=False):
    """Every string inside ``value`` that is secret, to register as an Ansible no_log value."""
    secret = secret or (name is not None and is_sensitive_name(name))
    if isinstance(value, dict):
        found = []
        for k, v in value.items():
            found.extend(secret_strings(v, k, secret))
        return found
    if isinstance(value, list):
        found = []
        for v in value:
            found.extend(secret_strings(v, name, secret))
        return found
    if secret and value is not None and not isinstance(value, bool) and str(value) not in ("", MASKED):
        return [str(value)]
    return []


def keep_masked(desired, current):
    """``desired`` with every string that the server shows as ``***`` in ``current`` sent back as
    ``***``: where the API merges ``***`` with the stored secret, the secret stays as it is.

    Only a string stands for a masked string; a part whose shape changed (a dict in place of a
    masked string) is sent as declared.
    """
    if isinstance(current, str) and current == MASKED and isinstance(desired, str):
        return MASKED
    if isinstance(desired, dict) and isinstance(current, dict):
        return dict((k, keep_masked(v, current[k]) if k in current else v) for k, v in desired.items())
    if isinstance(desired, list) and isinstance(current, list) and len(desired) == len(current):
        return [keep_masked(d, c) for d, c in zip(desired, current)]
    return desired


def masked_counterparts(desired, current):
    """The declared strings at the places where ``current`` shows ``***``: secrets the server
    knows by a name we may not (its ``sensitive_var_conn_names``)."""
    if isinstance(current, str) and current == MASKED:
        return [str(desired)] if isinstance(desired, str) and desired not in ("", MASKED) else []
    found = []
    if isinstance(desired, dict) and isinstance(current, dict):
        for k in set(desired) & set(current):
            found.extend(masked_counterparts(desired[k], current[k]))
    elif isinstance(desired, list) and isinstance(current, list):
        for d, c in zip(desired, current):
            found.extend(masked_counterparts(d, c))
    return found


def has_secret_keys(value):
    """Whether ``value`` holds a secret: under a sensitive name, or shown as ``***`` by the server."""
    return bool(secret_strings(value)) or contains_masked(value)


def masked_keys(value, prefix=""):
    """Dotted paths of the ``***`` parts of ``value``."""
    if isinstance(value, dict):
        paths = []
        for key, item in value.items():
            paths.extend(masked_keys(item, "%s%s." % (prefix, key)))
        return paths
    if isinstance(value, list):
        paths = []
        for index, item in enumerate(value):
            paths.extend(masked_keys(item, "%s%d." % (prefix, index)))
        return paths
    return [prefix.rstrip(".")] if value == MASKED else []
