# Copyright: (c) 2026, dagops.airflow contributors
# Apache License 2.0 (see LICENSE)
"""An INI file edited in place the way Airflow reads it: comments, order and other keys kept.

Airflow reads airflow.cfg with Python's ``configparser`` (default settings: ``=`` or ``:``
delimiters, full-line ``#``/``;`` comments, no inline comments, indented continuation lines,
case-insensitive keys, case-sensitive section names, strict: a duplicate section or key is an
error, ``%`` interpolation). This parser follows the same rules so that what it reads is what
Airflow reads, and it edits only the lines of the options it changes.
"""

from __future__ import annotations

import re

# configparser's SECTCRE and OPTCRE, applied as configparser does: to the stripped line.
SECTION_RE = re.compile(r"\[(?P<header>.+)\]")
OPTION_RE = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")
# What configparser's BasicInterpolation accepts after a `%`.
INTERPOLATION_RE = re.compile(r"%%|%\([^)]*\)s")
COMMENT_PREFIXES = ("#", ";")


class IniError(Exception):
    """The file or a requested change is not something Airflow could read. Never carries a value."""


class Option:
    """One option's place in the file: lines[start..end] (continuation lines included)."""

    def __init__(self, key, start, value_offset, value):
        self.key = key  # as spelled in the file
        self.start = self.end = start
        self.value_offset = value_offset  # where the value begins in lines[start]
        self.parts = [value]

    @property
    def value(self):
        # configparser joins continuation lines with newlines and strips trailing empty ones.
        return "\n".join(self.parts).rstrip()


class Section:
    def __init__(self, name, header):
        self.name = name
        self.header = header  # line index of "[name]"
        self.options = {}  # lower-cased key -> Option, in file order

    @property
    def last_line(self):
        """The index of the section's last option line, or of its header when it has none."""
        return max([self.header] + [opt.end for opt in self.options.values()])


def split_lines(text):
    return text.splitlines(keepends=True)


def newline_of(lines):
    for line in lines:
        if line.endswith("\r\n"):
            return "\r\n"
        if line.endswith("\n"):
            return "\n"
    return "\n"


def parse(lines):
    """{section name: Section} in file order, by configparser's rules; IniError where Airflow would fail."""
    sections = {}
    current = option = None
    indent_level = 0
    for index, line in enumerate(lines):
        text = line.strip()
        if not text or text.startswith(COMMENT_PREFIXES):
            if not text and option is not None:
                option.parts.append("")  # configparser keeps blank lines inside a value
            continue
        indent = len(line) - len(line.lstrip())
        if current is not None and option is not None and indent > indent_level:
            option.parts.append(text)
            option.end = index
            continue
        indent_level = indent
        header = SECTION_RE.match(text)
        if header:
            name = header.group("header")
            if name in sections:
                raise IniError("line %d: section [%s] appears twice (Airflow refuses such a file)" % (index + 1, name))
            current = sections[name] = Section(name, index)
            option = None
            continue
        if current is None:
            raise IniError("line %d: an option before the first [section] header" % (index + 1))
        match = OPTION_RE.match(text)
        if not match or not match.group("option"):
            raise IniError("line %d of the file is neither a [section], a key = value line nor a comment" % (index + 1))
        key = match.group("option").rstrip()
        if key.lower() in current.options:
            raise IniError("line %d: key %s appears twice in section [%s] (Airflow refuses such a file)"
                           % (index + 1, key, current.name))
        option = Option(key, index, line.index(text) + match.start("value"), match.group("value").strip())
        current.options[key.lower()] = option
    return sections


def check_interpolation(section, key, value):
    """Airflow interpolates `%` (configparser's BasicInterpolation): a lone one breaks the whole file."""
    if "%" in INTERPOLATION_RE.sub("", value):
        raise IniError("[%s] %s: a literal %% must be written %%%% in airflow.cfg (Airflow reads it with "
                       "configparser's interpolation)" % (section, key))


def check_name(kind, name):
    if not name or name != name.strip() or any(c in name for c in "\r\n"):
        raise IniError("invalid %s name %r: it must be non-empty, on one line, without surrounding spaces" % (kind, name))
    if kind == "section" and "]" in name:
        raise IniError("invalid section name %r: it must not contain ]" % name)
    if kind == "key" and (any(c in name for c in "=:") or name.startswith(("[",) + COMMENT_PREFIXES)):
        raise IniError("invalid key name %r: it must not contain = or : nor start with [, # or ;" % name)


class IniDocument:
    """The lines of an INI file and the edits made to them."""

    def __init__(self, text=""):
        self.lines = split_lines(text)
        self.newline = newline_of(self.lines)
        self.sections = parse(self.lines)

    def text(self):
        return "".join(self.lines)

    def get(self, section, key):
        """The value Airflow reads (before interpolation), or None when the key is not there."""
        opt = self.sections.get(section, Section(section, -1)).options.get(key.lower())
        return None if opt is None else opt.value

    def values(self):
        """{section: {key (lower case): value}}."""
        return {name: {key: opt.value for key, opt in sec.options.items()} for name, sec in self.sections.items()}

    def set(self, section, key, value):
        """Set (value is a str) or remove (None) one key; True when the file changes."""
        check_name("section", section)
        check_name("key", key)
        if value is not None:
            if any(c in value for c in "\r\n"):
                raise IniError("[%s] %s: the value must be on one line" % (section, key))
            check_interpolation(section, key, value)
        if self.get(section, key) == value:
            return False
        sec = self.sections.get(section)
        opt = sec.options.get(key.lower()) if sec else None
        if value is None:
            if opt is None:
                return False
            del self.lines[opt.start:opt.end + 1]
        elif opt is not None:
            self.lines[opt.start:opt.end + 1] = [self._replaced_value(opt, value)]
        elif sec is not None:
            self.lines.insert(sec.last_line + 1, self._line("%s = %s" % (key, value)))
        else:
            self._append_section(section, key, value)
        self.sections = parse(self.lines)
        return True

    def _line(self, text):
        return text.rstrip() + self.newline

    def _replaced_value(self, opt, value):
        prefix = self.lines[opt.start][:opt.value_offset]
        if value and prefix.endswith(("=", ":")) and prefix[-2:-1].isspace():
            prefix += " "  # "key =" that held an empty value becomes "key = value"
        return self._line(prefix + value)

    def _append_section(self, section, key, value):
        if self.lines and not self.lines[-1].endswith("\n"):
            self.lines[-1] += self.newline
        if self.lines and self.lines[-1].strip():
            self.lines.append(self.newline)
        self.lines += [self._line("[%s]" % section), self._line("%s = %s" % (key, value))]

    def section_lines(self, names):
        """The line indexes of the sections in `names` (header to the line before the next header)."""
        headers = sorted(sec.header for sec in self.sections.values()) + [len(self.lines)]
        wanted = set()
        for name in names:
            sec = self.sections.get(name)
            if sec is not None:
                wanted.update(range(sec.header, headers[headers.index(sec.header) + 1]))
        return wanted

    def masked_text(self, is_secret, marker, changed=frozenset(), sections=None):
        """The file (or only the given sections) with the value of every secret option replaced by
        `marker` (`marker + " (changed)"` for the (section, lower key) pairs in `changed`)."""
        lines = list(self.lines)
        for name, sec in self.sections.items():
            for key, opt in sec.options.items():
                if is_secret(name, key) and opt.value:
                    shown = marker + (" (changed)" if (name, key) in changed else "")
                    lines[opt.start] = self._replaced_value(opt, shown)
                    for index in range(opt.start + 1, opt.end + 1):
                        lines[index] = None
        keep = range(len(lines)) if sections is None else self.section_lines(sections)
        return "".join(line for index, line in enumerate(lines) if line is not None and index in keep)
