"""The old REST API plugin's JSON envelope and its argument forms (framework-free)."""
import datetime
import re

FALSE_WORDS = ("false", "off", "0", "no")
# A connection's extra carries tokens and keys as often as its password does.
SECRET_ARGUMENTS = ("conn_password", "conn_extra")
MASK = "***"
# The password of a connection URI: scheme://login:PASSWORD@host...
URI_PASSWORD = re.compile(r"^([^:/?#]+://[^:/@]*:)[^@]*(@)")
# A connection URI's query string is its extra (tokens, keys).
URI_EXTRA = re.compile(r"\?.*$")


def masked(arguments):
    """The arguments as the envelope echoes them: a connection's password and extra never appear."""
    shown = {}
    for key, value in arguments.items():
        if key in SECRET_ARGUMENTS and value:
            value = MASK
        elif key == "conn_uri" and isinstance(value, str):
            value = URI_PASSWORD.sub(lambda match: match.group(1) + MASK + match.group(2), value)
            value = URI_EXTRA.sub("?" + MASK, value)
        shown[key] = value
    return shown


def local_time():
    return datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S.%f")


class Envelope:
    """Collects what the legacy answer reports; `answer(code, output)` builds (status, body).

    `airflow_cmd` is the Airflow CLI command the call ran, or, for a call done in-process through
    Airflow's Python API, the CLI command it stands for (docs/rest_api_plugin.md lists which is which).
    """

    def __init__(self, arguments, post_arguments):
        self.call_time = local_time()
        self.arguments = masked(arguments)
        self.post_arguments = masked(post_arguments)
        self.warnings = []
        self.airflow_cmd = None

    def answer(self, code, output):
        body = {"status": "OK" if code == 200 else "ERROR", "http_response_code": code, "output": output,
                "call_time": self.call_time, "response_time": local_time(), "arguments": self.arguments,
                "post_arguments": self.post_arguments}
        if self.airflow_cmd:
            body["airflow_cmd"] = self.airflow_cmd
        if self.warnings:
            body["warning"] = " ".join(self.warnings)
        return code, body


def is_set(flags, name):
    """Presence flags: any value but an explicit false/off/0/no counts (`?json`, `add=on`, `add=true`)."""
    if name not in flags:
        return False
    return str(flags[name]).strip().lower() not in FALSE_WORDS
