"""The batch call against the real server (docs/rest_api_plugin.md, POST rest_api/v1/dag-files/batch).

    batch_http.py PLUGIN_URL DAG_IMPORT WORK_DIR

Credentials from the environment, as curl_plugin.sh takes them (PLUGIN_USER/PLUGIN_PASSWORD, or
PLUGIN_TOKEN), the viewer's Authorization header in VIEWER_AUTH. Reads the dags folder on disk (the
server runs on this machine) to prove that a refused batch changed nothing. Prints one line per check;
exits 1 at the first one that fails."""
import base64
import io
import json
import os
import subprocess
import sys
import tarfile
import urllib.error
import urllib.request

PLUGIN, DAG_IMPORT, WORK = sys.argv[1:4]
ADMIN = ({"Authorization": "Bearer " + os.environ["PLUGIN_TOKEN"]} if os.environ.get("PLUGIN_TOKEN") else
         {"Authorization": "Basic " + base64.b64encode(
             ("%s:%s" % (os.environ["PLUGIN_USER"], os.environ["PLUGIN_PASSWORD"])).encode()).decode()})
PREFIX = "it_batch"
DAG = """from datetime import datetime
{imp}
from it_batch_lib.names import NAME

with DAG(NAME + "{suffix}", schedule=None, start_date=datetime(2024, 1, 1)):
    pass
"""


def check(condition, what, detail=""):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        print(str(detail)[:3000])
        sys.exit(1)


def call(method, path, data=None, headers=None, content_type="application/x-tar"):
    request = urllib.request.Request(PLUGIN + "/" + path, data=data, method=method,
                                     headers=dict(headers if headers is not None else ADMIN))
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, body.decode("utf-8", "replace")


def curl_post(path, data):
    """POST through curl_plugin.sh: the server may answer 413 before it reads the body, and curl reads
    that answer where urllib only sees the connection reset."""
    body_file = os.path.join(WORK, "it_batch_body.tar")
    with open(body_file, "wb") as stream:
        stream.write(data)
    curl = os.path.join(os.path.dirname(os.path.abspath(__file__)), "curl_plugin.sh")
    done = subprocess.run([curl, "-X", "POST", "-H", "Content-Type: application/x-tar", "--data-binary",
                           "@" + body_file, PLUGIN + "/" + path], capture_output=True, text=True, check=False)
    os.unlink(body_file)
    lines = done.stdout.strip().splitlines()
    return (int(lines[-1]) if lines and lines[-1].isdigit() else None), "\n".join(lines[:-1]) + done.stderr


def archive(files, remove=(), members=()):
    stream = io.BytesIO()
    with tarfile.open(fileobj=stream, mode="w") as tar:
        entries = [("dagops-batch.json", json.dumps({"remove": list(remove)}).encode())] + sorted(files.items())
        for name, data in entries:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info in members:
            tar.addfile(info)
    return stream.getvalue()


def dag(suffix):
    return DAG.format(imp=DAG_IMPORT, suffix=suffix).encode()


def snapshot(folder):
    found = {}
    for directory, _subdirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(directory, name)
            stat = os.lstat(path)
            with open(path, "rb") as stream:
                found[os.path.relpath(path, folder)] = (stream.read(), stat.st_mtime_ns)
    return found


def main():
    status, version = call("GET", "version")
    check(status == 200 and "dag-files-batch" in version["capabilities"], "the plugin has the batch call", version)
    check(version["max_batch_size"] == 4194304, "max_batch_size from the harness's environment", version)
    root = version["dags_folder"]

    # A good batch: a helper package and the DAG files that import it, validated together.
    good = {"it_batch_lib/__init__.py": b"", "it_batch_lib/names.py": b'NAME = "it_batch"\n',
            f"{PREFIX}/a.py": dag("_a"), f"{PREFIX}/b.py": dag("_b"), f"{PREFIX}/old.py": dag("_old")}
    status, body = call("POST", "dag-files/batch", archive(good))
    check(status == 200 and body["changed"] and sorted(body["files"]["added"]) == sorted(good),
          "a good batch applies completely", body)
    check(body["dag_ids"][f"{PREFIX}/a.py"] == ["it_batch_a"], "helpers import as they will after the change", body)
    check(all(open(os.path.join(root, p), "rb").read() == data for p, data in good.items()), "every file is in place")
    first_release = body["release"]

    status, body = call("POST", "dag-files/batch", archive(good))
    check(status == 200 and body["changed"] is False and body["release"] is None, "the same batch changes nothing", body)

    # A broken batch of 50 files: nothing changes, every failing file is named with its error.
    before = snapshot(root)
    broken = dict((f"{PREFIX}/many/f{i:02}.py", dag("_f%02d" % i)) for i in range(48))
    broken[f"{PREFIX}/many/broken.py"] = b"import it_batch_module_that_does_not_exist\n"
    broken["it_batch_lib/names.py"] = b'NAME = "it_batch_renamed"\nraise RuntimeError("it_batch helper broke")\n'
    status, body = call("POST", "dag-files/batch", archive(broken, remove=[f"{PREFIX}/old.py"]))
    check(status == 422, "a batch with broken files is refused", body)
    errors = body.get("import_errors") or {}
    check("it_batch_module_that_does_not_exist" in errors.get(f"{PREFIX}/many/broken.py", ""),
          "the refusal names the broken file with its import error", body)
    check("it_batch helper broke" in errors.get(f"{PREFIX}/many/f00.py", ""),
          "files importing a broken helper of the batch are named too", sorted(errors))
    check(snapshot(root) == before, "nothing in the dags folder changed (names, bytes, mtimes)")

    # A second good batch, then rollback to the first state.
    after_first = snapshot(root)
    second = {f"{PREFIX}/a.py": dag("_a2"), f"{PREFIX}/c.py": dag("_c")}
    status, body = call("POST", "dag-files/batch", archive(second, remove=[f"{PREFIX}/old.py"]))
    check(status == 200 and body["files"]["changed"] == [f"{PREFIX}/a.py"] and body["files"]["removed"] ==
          [f"{PREFIX}/old.py"] and body["files"]["added"] == [f"{PREFIX}/c.py"], "a batch changes, adds, removes", body)
    status, body = call("POST", "dag-files/rollback?dry_run=true")
    check(status == 200 and body["dry_run"] and body["changed"], "a rollback's dry run says what would change", body)
    check(snapshot(root) != after_first, "the dry run changed nothing")
    status, body = call("POST", "dag-files/rollback")
    check(status == 200 and body["rolled_back"] != first_release, "rollback undoes the last batch", body)
    restored = snapshot(root)
    check(dict((p, d) for p, (d, _m) in restored.items()) == dict((p, d) for p, (d, _m) in after_first.items()),
          "rollback restores the previous files")

    # Refusals.
    os.makedirs(os.path.join(WORK, "outside"), exist_ok=True)
    link = os.path.join(root, "it_batch_escape")
    if not os.path.lexists(link):
        os.symlink(os.path.join(WORK, "outside"), link)
    symlink_member = tarfile.TarInfo(f"{PREFIX}/link.py")
    symlink_member.type, symlink_member.linkname = tarfile.SYMTYPE, "/etc/passwd"
    for what, data, status_wanted, text in [
        ("traversal", archive({"../it_batch_up.py": b"x = 1\n"}), 400, "normalised"),
        ("absolute path", archive({"/tmp/it_batch_abs.py": b"x = 1\n"}), 400, "relative"),
        ("a symlink member", archive({}, members=[symlink_member]), 400, "not a regular file"),
        ("a symlink out of the dags folder", archive({"it_batch_escape/x.py": b"x = 1\n"}), 400, "leaves the dags"),
        ("a wrong suffix", archive({f"{PREFIX}/notes.txt": b"x"}), 400, "must end in"),
        ("__pycache__", archive({f"{PREFIX}/__pycache__/x.py": b"x"}), 400, "__pycache__"),
        ("an oversized file", archive({f"{PREFIX}/big.py": b"#" * 1048577}), 413, "max_file_size (1048576)"),
        ("an oversized batch", archive(dict((f"{PREFIX}/big{i}.py", b"#" * 1000000) for i in range(5))), 413,
         "max_batch_size (4194304)"),
        ("a body that is not a tar archive", b"not a tar" * 200, 400, "not a readable tar"),
    ]:
        status, body = curl_post("dag-files/batch", data) if status_wanted == 413 else call("POST", "dag-files/batch", data)
        check(status == status_wanted and text in str(body), f"refuses {what} ({status_wanted})", (status, body))
    check(os.listdir(os.path.join(WORK, "outside")) == [], "nothing was written outside")
    os.unlink(link)
    status, body = call("POST", "dag-files/batch", archive(good), headers={})
    check(status == 401, "refuses an unauthenticated caller", (status, body))
    status, body = call("POST", "dag-files/batch", archive(good), headers={"Authorization": os.environ["VIEWER_AUTH"]})
    check(status == 403, "refuses a caller who is not an admin", (status, body))
    status, body = call("POST", "dag-files/rollback", headers={"Authorization": os.environ["VIEWER_AUTH"]})
    check(status == 403, "refuses a rollback by a caller who is not an admin", (status, body))
    check(snapshot(root) == restored, "no refused call changed anything")

    # Clean up through the batch call: removals only.
    status, listing = call("GET", "dag-files")
    mine = [f["path"] for f in listing["files"] if f["path"].startswith((PREFIX + "/", "it_batch_lib/"))]
    status, body = call("POST", "dag-files/batch", archive({}, remove=mine))
    check(status == 200 and sorted(body["files"]["removed"]) == sorted(mine), "a batch of removals only", body)


if __name__ == "__main__":
    main()
