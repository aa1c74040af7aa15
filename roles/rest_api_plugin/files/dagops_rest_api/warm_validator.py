"""The server side of validate_server.py: one warm parent per server process, started at the first
validation (`[rest_api_plugin] validation_warm_process`), started again if it died. A validation
it cannot take (not started, gone) runs as a new process instead (validation.py)."""
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SERVER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate_server.py")
_lock = threading.Lock()
_parent = {}  # "process", "socket", "folder" of this server process's warm parent


class WarmUnavailable(Exception):
    """No warm parent to fork from: the caller starts a process of its own."""


def _start(timeout):
    folder = tempfile.mkdtemp(prefix="dagops-validate-warm-")  # 0700: only this user connects
    path = os.path.join(folder, "socket")
    log = open(os.path.join(folder, "log"), "wb")  # pylint: disable=consider-using-with
    process = subprocess.Popen([sys.executable, SERVER_SCRIPT, path], cwd=folder, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=log, start_new_session=True)
    log.close()
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        ready = selector.select(timeout) and process.stdout.readline().strip() == b"ready"
    if not ready:
        _stop(process, folder)
        raise WarmUnavailable("the warm validating process did not start")
    _parent.update(process=process, socket=path, folder=folder)


def _stop(process, folder):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
    shutil.rmtree(folder, ignore_errors=True)


def _socket_path(timeout):
    with _lock:
        process = _parent.get("process")
        if process is not None and process.poll() is not None:
            shutil.rmtree(_parent["folder"], ignore_errors=True)
            _parent.clear()
        if not _parent:
            _start(timeout)
        return _parent["socket"]


class WarmChild:
    """One validation forked by the warm parent; `finish` like validation.py's for a Popen."""

    def __init__(self, argv, cwd, start_timeout):
        self.output = os.path.join(cwd, "output.txt")
        self.connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self.connection.settimeout(start_timeout)
            self.connection.connect(_socket_path(start_timeout))
            self.connection.sendall(json.dumps({"argv": argv, "cwd": cwd, "output": self.output}).encode("utf-8")
                                    + b"\n")
            self.reader = self.connection.makefile("rb")
            self.pid = json.loads(self.reader.readline().decode("utf-8"))["pid"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            self.connection.close()
            raise WarmUnavailable(str(error)) from None

    def finish(self, timeout):
        """(exit status, or None on timeout, output); the child's session dies on timeout."""
        deadline = time.monotonic() + timeout
        status = None
        try:
            self.connection.settimeout(max(0.01, deadline - time.monotonic()))
            line = self.reader.readline()
            status = json.loads(line.decode("utf-8"))["status"] if line else -signal.SIGKILL
        except socket.timeout:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            return None, ""
        except (OSError, ValueError, KeyError, TypeError):
            status = 1
        finally:
            self.connection.close()
        try:
            with open(self.output, "rb") as stream:
                return status, stream.read().decode("utf-8", "replace")
        except OSError:
            return status, ""


def stop():
    """Stop this server process's warm parent, if any (the tests; it also stops by itself when the
    server process ends, its stdin closing)."""
    with _lock:
        if _parent:
            _stop(_parent["process"], _parent["folder"])
            _parent.clear()


def parent_pid():
    """The warm parent's pid, or None (the tests)."""
    process = _parent.get("process")
    return process.pid if process is not None and process.poll() is None else None
