"""Stand-in for pypa's get-pip.py, which ansible-test downloads from a host this machine cannot reach.

ansible-test runs it inside an empty venv with pip's install arguments (for example
``--disable-pip-version-check pip==24.2 --no-setuptools --no-wheel``). We bootstrap pip from the
interpreter's own ensurepip and then install exactly what was asked for, from PyPI.
"""

import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install", "-q"] + args)
