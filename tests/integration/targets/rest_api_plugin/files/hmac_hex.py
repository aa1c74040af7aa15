"""Print HMAC-SHA256(key=$SALT, message) in hex: the test's own reference fingerprint.

The message is $MESSAGE, or the value of the environment variable that $MESSAGE_FROM names: the
secrets reach this script through the environment runme.sh exported, so that neither a command line
nor a task's `environment` (both printed at -vvv) carries them.
"""
import hashlib
import hmac
import os

message = os.environ[os.environ["MESSAGE_FROM"]] if os.environ.get("MESSAGE_FROM") else os.environ["MESSAGE"]
print(hmac.new(os.environ["SALT"].encode(), message.encode(), hashlib.sha256).hexdigest())
