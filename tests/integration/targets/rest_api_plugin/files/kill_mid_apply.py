"""A batch whose apply is cut by SIGKILL of the real server process, then the server restarted: the
next deploy finds the journal and rolls the batch forward (docs/rest_api_plugin.md, "Crash safety").

    kill_mid_apply.py PLUGIN_URL SERVER_JSON HARNESS STATE_DIR FLAVOR

Credentials as batch_http.py takes them (PLUGIN_USER/PLUGIN_PASSWORD or PLUGIN_TOKEN; the harness
keeps the JWT secret across restarts). Batch A (N small files) is deployed; batch B (the same paths,
new bytes) is sent, and the moment its journal appears in the deploy state folder the process group
of the api-server (3.x) or webserver (2.x) named in the harness's server.json is SIGKILLed. The
harness starts the server again; then B is sent again and must find B fully live (the repair rolled
it forward, nothing left to change), never a mix of A and B. Prints one line per check; exits 1 at
the first one that fails."""
import base64
import io
import json
import os
import signal
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request

PLUGIN, SERVER_JSON, HARNESS, STATE_DIR, FLAVOR = sys.argv[1:6]
ADMIN = ({"Authorization": "Bearer " + os.environ["PLUGIN_TOKEN"]} if os.environ.get("PLUGIN_TOKEN") else
         {"Authorization": "Basic " + base64.b64encode(
             ("%s:%s" % (os.environ["PLUGIN_USER"], os.environ["PLUGIN_PASSWORD"])).encode()).decode()})
PREFIX = "it_kill"
N = 4000  # enough renames that the apply lasts longer than the kill takes to land
ATTEMPTS = 3


def check(condition, what, detail=""):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        print(str(detail)[:3000])
        sys.exit(1)


def call(method, path, data=None):
    """(status, JSON body); (None, error text) when the connection broke (the server was killed)."""
    request = urllib.request.Request(PLUGIN + "/" + path, data=data, method=method, headers=ADMIN)
    if data is not None:
        request.add_header("Content-Type", "application/x-tar")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")
    except (OSError, ValueError) as error:
        return None, str(error)


def archive(files_to_write, remove=()):
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as tar:
        entries = [("dagops-batch.json", json.dumps({"remove": list(remove)}).encode())] + sorted(files_to_write.items())
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return stream.getvalue()


def files(version):
    return dict(("%s/f%04d.py" % (PREFIX, i), ("VERSION = %r\n" % version).encode()) for i in range(N))


def on_disk(dags_folder):
    """{version: count} of the batch's files as they are in the dags folder."""
    found = {}
    for i in range(N):
        try:
            with open(os.path.join(dags_folder, PREFIX, "f%04d.py" % i), "rb") as stream:
                text = stream.read().decode()
        except OSError:
            text = "missing"
        found[text] = found.get(text, 0) + 1
    return dict((text.strip(), count) for text, count in found.items())


def server_info():
    with open(SERVER_JSON, encoding="utf-8") as stream:
        return json.load(stream)


def restart():
    done = subprocess.run([sys.executable, HARNESS, "start", FLAVOR, "--rest-api-plugin", "--state-dir", STATE_DIR],
                          capture_output=True, text=True, check=False, timeout=900)
    check(done.returncode == 0, "the harness started the killed server again", done.stderr[-3000:])


def send_and_kill(batch, journal, pid):
    """True when the server died with the batch's journal present (the apply was cut)."""
    answers = []
    sender = threading.Thread(target=lambda: answers.append(call("POST", "dag-files/batch", data=batch)))
    sender.start()
    while not os.path.exists(journal) and sender.is_alive():
        time.sleep(0.0005)
    os.killpg(pid, signal.SIGKILL)
    sender.join(120)
    time.sleep(0.5)
    return os.path.exists(journal), answers


def main():
    info = server_info()
    dags_folder = info["dags_folder"]
    # The default deploy_state_folder: beside the dags folder (the harness sets none).
    journal = os.path.join(os.path.dirname(dags_folder), ".%s.dagops" % os.path.basename(dags_folder), "journal.json")
    status, body = call("POST", "dag-files/batch", data=archive(files("A")))
    check(status == 200 and on_disk(dags_folder) == {"VERSION = 'A'": N}, "batch A (%d files) deployed" % N, body)
    cut, version = False, None
    for attempt in range(ATTEMPTS):
        version = "B%d" % attempt
        server = "api-server" if "api-server" in info["pids"] else "webserver"
        cut, answers = send_and_kill(archive(files(version)), journal, info["pids"][server])
        print("...  attempt %d: %s killed %s (the client got %s), journal %s, on disk %s" % (
            attempt, server, "mid-apply" if cut else "too late", answers[0][0] if answers else "no answer",
            "present" if cut else "gone", on_disk(dags_folder)), flush=True)
        restart()
        info = server_info()
        if cut:
            break
        check(on_disk(dags_folder) == {"VERSION = %r" % version: N}, "a batch that finished before the kill is all live",
              on_disk(dags_folder))
    check(cut, "the kill landed while the journal was present (%d attempts)" % ATTEMPTS)
    status, body = call("POST", "dag-files/batch", data=archive(files(version)))
    check(status == 200 and body.get("changed") is False and len(body["files"]["unchanged"]) == N,
          "after the restart, sending batch %s again changes nothing: the repair had rolled it forward" % version, body)
    check(on_disk(dags_folder) == {"VERSION = %r" % version: N}, "every file is batch %s's, no mix with A" % version,
          on_disk(dags_folder))
    check(not os.path.exists(journal), "the journal is gone")
    status, listing = call("GET", "dag-files?prefix=%s/" % PREFIX)
    check(status == 200 and len(listing["files"]) == N, "the listing shows the %d files" % N, listing)
    status, body = call("POST", "dag-files/batch", data=archive({}, remove=sorted(files("A"))))
    check(status == 200 and len(body["files"]["removed"]) == N, "the files are removed again", body)


if __name__ == "__main__":
    main()
