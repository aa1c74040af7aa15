"""Run by warm_validator.py with the server's Python:

    python validate_server.py SOCKET

A warm parent for the validating processes: imports Airflow once, then for each connection on the
Unix socket SOCKET forks a child that does what `python validate_child.py ARGS...` would do, so a
validation no longer pays for `import airflow` (seconds). Each child is a fresh copy of this process
(no DAG module it imported stays), in its own session, its output in the file the request names.
Protocol, one JSON line each: request {"argv": [...], "cwd": dir, "output": file}; the child
answers {"pid": n} when it starts and {"status": n} when it ends (nothing if it was killed).
Exits when its stdin closes (the server that started it is gone), removing the socket's folder
(private to it, made by warm_validator.py). Stdlib plus Airflow only.
"""
import importlib
import json
import os
import selectors
import shutil
import signal
import socket
import sys
import traceback

import validate_child


# What every DAG file imports (DAG, BaseOperator: about a second on 2.11), where this Airflow has it.
DAG_AUTHORING_MODULES = ("airflow.sdk", "airflow.models.dag", "airflow.models.baseoperator")


def preload():
    """What every validation imports: Airflow, its DagBag and file listing, the DAG authoring
    modules (not the DAGs' own modules, nor anything from the dags or plugins folder)."""
    validate_child.load_dagbag_class()
    from airflow.utils.file import list_py_file_paths  # noqa: F401 pylint: disable=import-outside-toplevel,unused-import
    for name in DAG_AUTHORING_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass


def run_child(listener, connection, request):
    """In the forked child: never returns."""
    status = 1
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the DAG code may wait for its own subprocesses
        listener.close()
        os.setsid()
        os.chdir(request["cwd"])
        output = os.open(request["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output, 1)
        os.dup2(output, 2)
        connection.sendall(json.dumps({"pid": os.getpid()}).encode("utf-8") + b"\n")
        sys.argv = [validate_child.__file__] + list(request["argv"])
        status = validate_child.run(list(request["argv"]))
    except BaseException:  # pylint: disable=broad-except
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
            connection.sendall(json.dumps({"status": status}).encode("utf-8") + b"\n")
        finally:
            os._exit(status)  # pylint: disable=protected-access


def leave(_signum, _frame):
    raise SystemExit(0)


def serve(socket_path):
    """Serve until the server is gone or this process is told to stop (SIGTERM: a service manager
    stopping the server's whole family); then remove the socket's private folder."""
    signal.signal(signal.SIGTERM, leave)
    try:
        return _serve(socket_path)
    finally:
        shutil.rmtree(os.path.dirname(socket_path), ignore_errors=True)


def _serve(socket_path):
    preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children; they report by socket
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(32)
    print("ready", flush=True)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    while True:
        for key, _events in selector.select():
            if key.fileobj is sys.stdin:
                if not os.read(sys.stdin.fileno(), 1024):  # the server is gone
                    return 0
                continue
            connection, _address = listener.accept()
            try:
                connection.settimeout(10)  # a client that sends nothing must not stall the others
                request = json.loads(connection.makefile("rb").readline().decode("utf-8"))
                connection.settimeout(None)
            except (OSError, ValueError):
                connection.close()
                continue
            if os.fork() == 0:
                run_child(listener, connection, request)
            connection.close()


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1]))
