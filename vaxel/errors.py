"""Domain errors: raised in models and services, mapped to HTTP and speech in one place each."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal a person can understand; ``str()`` is safe to show them."""

    code = "refused"
    status = 400

    field: str | None = None

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 field: str | None = None) -> None:  # fmt: skip
        super().__init__(message)
        if code:
            self.code = code
        if status:
            self.status = status
        if field:
            self.field = field  # the input it is about, for the API's "problems" list


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409
