"""Domain exceptions, mapped once to HTTP in ``aduan.web.errors``."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request. ``code`` is stable and machine-readable."""

    status = 400
    code = "domain_error"
    # True where ``message`` is always translated for the reader (error pages show it).
    for_people = False

    def __init__(self, message: str, *, errors: dict | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class IllegalTransition(DomainError):
    status = 409
    code = "illegal_transition"


class StaleTicket(DomainError):
    """Someone else saved the ticket first; reload and try again."""

    status = 409
    code = "conflict"


class TokenRefused(DomainError):
    """An API token that exists but may no longer be used: expired, or an old secret whose
    rotation grace period is over."""

    status = 401
    code = "token_expired"
