import json
import os
import stat

from dagops_rest_api.validation import first_line, validate_dag_file


def fake_python(tmp_path, body):
    """An executable standing in for the server's Python: gets CHILD_SCRIPT COPY RESULT DAGS PLUGINS."""
    script = tmp_path / "fake_python"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_the_dag_ids_come_from_the_child(settings, tmp_path):
    result = json.dumps({"dag_ids": ["b", "a"], "import_errors": []})
    python = fake_python(tmp_path, f"test -f \"$2\" || exit 3\necho '{result}' > \"$3\"\n")
    assert validate_dag_file(b"x = 1\n", "sub/x.py", settings, python=python) == (["a", "b"], {})


def test_import_errors_name_the_callers_path_not_the_private_copy(settings, tmp_path):
    python = fake_python(tmp_path, 'printf \'{"dag_ids": [], "import_errors": ["File %s, line 1\\\\nBoom"]}\' "$2" > "$3"\n')
    validation = validate_dag_file(b"x = 1\n", "sub/x.py", settings, python=python)
    assert validation.import_errors == {"sub/x.py": "File sub/x.py, line 1\nBoom"}


def test_the_copy_is_outside_the_dags_folder(settings, tmp_path):
    seen = tmp_path / "seen"
    python = fake_python(tmp_path, f"echo \"$2\" > {seen}\n")
    validate_dag_file(b"x = 1\n", "x.py", settings, python=python)
    copy = seen.read_text().strip()
    assert not copy.startswith(settings.dags_folder) and os.path.basename(copy) == "x.py"
    assert not os.path.exists(copy)  # removed afterwards


def test_a_timeout_is_an_import_error(settings, tmp_path):
    python = fake_python(tmp_path, "sleep 30\n")
    validation = validate_dag_file(b"x = 1\n", "x.py", settings._replace(validation_timeout=1), python=python)
    assert "timed out after 1 s" in validation.import_errors["x.py"]


def test_a_crash_reports_the_output(settings, tmp_path):
    python = fake_python(tmp_path, "echo 'Segmentation fault'\nexit 139\n")
    validation = validate_dag_file(b"x = 1\n", "x.py", settings, python=python)
    assert "exit code 139" in validation.import_errors["x.py"] and "Segmentation fault" in validation.import_errors["x.py"]


def test_first_line():
    assert first_line("Traceback (most recent call last):\n  File x\nNameError: y\n") == "NameError: y"
    assert first_line("  File x, line 1\n    x =\nSyntaxError: invalid syntax") == "File x, line 1"
    assert first_line("") == "import failed"


# ----- the batch's validation of a staged tree (validate_child.py --tree) ---------------------
def tree_child(tmp_path, log):
    """A fake Python that logs its arguments and answers every path it gets: a.py-like paths define a
    DAG, paths with "bad" in them fail with an error naming the staged file."""
    return fake_python(tmp_path, f'''echo "$@" >> {log}
python3 - "$3" "$4" "$5" <<'PY'
import json, os, sys
tree, paths_file, result_file = sys.argv[1:4]
paths = json.load(open(paths_file))
errors = dict((p, "File %s, line 1\\nBoom" % os.path.join(tree, p)) for p in paths if "bad" in p)
ids = dict((p, [p[:-3]]) for p in paths if p not in errors)
json.dump({{"dag_ids": ids, "import_errors": errors, "ignored": []}}, open(result_file, "w"))
PY
''')


def test_a_tree_is_validated_by_a_few_processes_not_one_per_file(settings, tmp_path):
    from dagops_rest_api.validation import validate_tree
    log = tmp_path / "calls"
    paths = [f"d{i:03}.py" for i in range(120)] + ["sub/bad.py"]
    result = validate_tree(str(tmp_path / "tree"), paths, settings._replace(validation_processes=4),
                           python=tree_child(tmp_path, log))
    calls = log.read_text().splitlines()
    assert len(calls) == 3  # 121 files, at least 50 per process, at most 4 processes
    assert all(call.split()[1] == "--tree" for call in calls)
    assert len(result.dag_ids) == 120 and result.dag_ids["d000.py"] == ["d000"]
    assert result.import_errors == {"sub/bad.py": "File sub/bad.py, line 1\nBoom"}


def test_a_tree_validation_that_times_out_fails_its_files(settings, tmp_path):
    from dagops_rest_api.validation import validate_tree
    python = fake_python(tmp_path, "sleep 30\n")
    result = validate_tree(str(tmp_path), ["a.py", "b.py"], settings._replace(validation_timeout=1), python=python)
    assert sorted(result.import_errors) == ["a.py", "b.py"]
    assert "timed out after 1 s" in result.import_errors["a.py"]
