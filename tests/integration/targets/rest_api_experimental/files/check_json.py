"""check_json.py FILE EXPRESSION...: every Python EXPRESSION must be true of the answer in FILE,
where `j` is the answer parsed as JSON (None when it is not JSON) and `t` its text. Prints the
first false one with the answer and exits 1."""
import json
import sys

text = open(sys.argv[1], encoding="utf-8").read()
try:
    j = json.loads(text)
except ValueError:
    j = None
for expression in sys.argv[2:]:
    try:
        ok = eval(expression, {"j": j, "t": text})  # pylint: disable=eval-used  # test expressions
    except Exception as error:  # pylint: disable=broad-except
        ok = False
        expression += f"  ({type(error).__name__}: {error})"
    if not ok:
        print(f"FAILED: {expression}\nanswer: {text[:2000]}")
        sys.exit(1)
