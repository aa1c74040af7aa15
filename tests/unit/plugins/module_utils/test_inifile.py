"""The INI editor reads what configparser (Airflow's reader) reads and changes only what it is told."""

from __future__ import annotations

import configparser
import re

import pytest

from ansible_collections.dagops.airflow.plugins.module_utils.inifile import IniDocument, IniError

# Shaped like the airflow.cfg Airflow writes: documented options, blank lines, %% escapes.
SAMPLE = """\
[core]
# The folder where your airflow pipelines live.
#
# Variable: AIRFLOW__CORE__DAGS_FOLDER
#
dags_folder = /opt/airflow/dags

; another comment style
Plugins_Folder=/opt/airflow/plugins
fernet_key = s3cr3t-fernet
multi = first
    second

    third
# a comment after the multi-line value

[logging]
log_format = [%%(asctime)s] %%(levelname)s - %%(message)s
empty =

[webserver]
"""


def configparser_view(text):
    parser = configparser.ConfigParser()  # Airflow's AirflowConfigParser keeps these defaults
    parser.read_string(text)
    return {name: dict(parser.items(name, raw=True)) for name in parser.sections()}


def test_reads_what_configparser_reads():
    assert IniDocument(SAMPLE).values() == configparser_view(SAMPLE)


@pytest.mark.parametrize("section,key,value", [
    ("core", "dags_folder", "/srv/dags"),
    ("core", "PLUGINS_FOLDER", "/srv/plugins"),      # case-insensitive, the file's spelling stays
    ("core", "multi", "one line now"),               # replaces the continuation lines too
    ("core", "new_key", "added"),
    ("logging", "empty", "filled"),
    ("webserver", "base_url", "http://x"),          # a section without options
    ("rest_api_plugin", "max_file_size", "1024"),   # a new section
    ("core", "fernet_key", None),                    # removal
    ("core", "multi", None),
])
def test_one_change_changes_that_key_only(section, key, value):
    doc = IniDocument(SAMPLE)
    assert doc.set(section, key, value) is True
    expected = configparser_view(SAMPLE)
    if value is None:
        del expected[section][key.lower()]
    else:
        expected.setdefault(section, {})[key.lower()] = value
    assert configparser_view(doc.text()) == expected
    assert doc.values() == expected
    # Every comment is still there, in the same order.
    comments = [line for line in SAMPLE.splitlines() if line.lstrip().startswith(("#", ";"))]
    assert [line for line in doc.text().splitlines() if line.lstrip().startswith(("#", ";"))] == comments
    assert doc.set(section, key, value) is False  # idempotent


def test_edits_keep_spelling_and_delimiter_and_touch_no_other_line():
    doc = IniDocument(SAMPLE)
    doc.set("core", "plugins_folder", "/srv/plugins")
    doc.set("logging", "empty", "x")
    old, new = SAMPLE.splitlines(), doc.text().splitlines()
    assert [(a, b) for a, b in zip(old, new) if a != b] == [
        ("Plugins_Folder=/opt/airflow/plugins", "Plugins_Folder=/srv/plugins"), ("empty =", "empty = x")]


def test_a_new_key_goes_after_the_last_option_of_its_section():
    doc = IniDocument(SAMPLE)
    doc.set("logging", "colored", "False")
    lines = doc.text().splitlines()
    assert lines[lines.index("empty =") + 1] == "colored = False"


def test_a_new_section_is_appended_after_a_blank_line():
    doc = IniDocument("[core]\nkey = v")  # no final newline
    doc.set("rest_api_plugin", "max_file_size", "5")
    assert doc.text() == "[core]\nkey = v\n\n[rest_api_plugin]\nmax_file_size = 5\n"
    assert IniDocument("").set("a", "b", "c") and IniDocument("").values() == {}


def test_crlf_files_stay_crlf():
    doc = IniDocument("[core]\r\nkey = v\r\n")
    doc.set("core", "other", "w")
    assert doc.text() == "[core]\r\nkey = v\r\nother = w\r\n"


@pytest.mark.parametrize("text,error", [
    ("[core]\na = 1\n[core]\n", "section [core] appears twice"),
    ("[core]\na = 1\nA = 2\n", "key A appears twice"),
    ("a = 1\n[core]\n", "before the first [section]"),
    ("[core]\njust words\n", "line 2 of the file is neither"),
])
def test_files_airflow_refuses_are_refused(text, error):
    with pytest.raises(configparser.Error):
        configparser_view(text)
    with pytest.raises(IniError, match=re.escape(error)):
        IniDocument(text)


@pytest.mark.parametrize("section,key,value,error", [
    ("core", "k", "100%", "a literal % must be written %%"),
    ("core", "k", "two\nlines", "on one line"),
    ("core", "a=b", "v", "invalid key name"),
    ("core", "#k", "v", "invalid key name"),
    ("co]re", "k", "v", "invalid section name"),
    ("core", " k", "v", "invalid key name"),
])
def test_values_airflow_could_not_read_are_refused(section, key, value, error):
    with pytest.raises(IniError, match=re.escape(error)):
        IniDocument(SAMPLE).set(section, key, value)


def test_interpolation_that_configparser_accepts_is_accepted():
    doc = IniDocument(SAMPLE)
    doc.set("logging", "simple", "%%(asctime)s %(x)s 100%%")
    assert doc.get("logging", "simple") == "%%(asctime)s %(x)s 100%%"


def test_masked_text_hides_every_secret_line_and_marks_changed_ones():
    doc = IniDocument(SAMPLE)
    doc.set("core", "multi", "a")
    text = doc.masked_text(lambda s, k: k in ("fernet_key", "multi", "empty"), "***", {("core", "multi")})
    assert "s3cr3t-fernet" not in text and "fernet_key = ***\n" in text and "multi = *** (changed)\n" in text
    assert "empty =\n" in text  # nothing to hide in an empty value
    assert text.count("\n") == doc.text().count("\n")


def test_masked_text_of_some_sections_only():
    doc = IniDocument(SAMPLE)
    assert doc.masked_text(lambda s, k: False, "***", sections=["logging"]) == (
        "[logging]\nlog_format = [%%(asctime)s] %%(levelname)s - %%(message)s\nempty =\n\n")
    assert doc.masked_text(lambda s, k: False, "***", sections=["webserver"]) == "[webserver]\n"
    assert doc.masked_text(lambda s, k: False, "***", sections=["absent"]) == ""
