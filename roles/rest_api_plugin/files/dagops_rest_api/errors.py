"""The one error type the web layers turn into an HTTP answer."""


class ApiError(Exception):
    """An HTTP refusal: status, a `detail` that says what is wrong, optional extra body keys."""

    def __init__(self, status, detail, **extra):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra

    def body(self):
        return dict(self.extra, detail=self.detail)
