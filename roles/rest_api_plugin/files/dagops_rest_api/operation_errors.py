"""The refusals of the shared operations (runs, pools, execution dates): a status and a message.

Each web contract turns them into its own answer shape: the experimental API into `{"error": ...}`
with the status, the old REST API plugin into its envelope.
"""


class OperationError(Exception):
    """An operation that could not be carried out; `status` is the HTTP status Airflow 1.10 used."""

    status = 500

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class BadRequest(OperationError):
    status = 400


class NotFound(OperationError):
    status = 404
