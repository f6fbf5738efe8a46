"""Errors that services raise and every adapter (page, API, CLI) turns into a user message."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A business rule said no. `message` is shown to the user; `fields` maps field → message."""

    status = 400

    def __init__(self, message: str | Promise, *, fields: dict[str, Any] | None = None, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}
        self.code = code


class ValidationFailed(ApplicationError):
    """Input did not pass validation; nothing was changed."""


class PermissionDenied(ApplicationError):
    """The actor's role or unit does not allow this action."""

    status = 403

    def __init__(self, message: str | Promise, **kwargs: Any) -> None:
        super().__init__(message, code="forbidden", **kwargs)


class NotFound(ApplicationError):
    """Missing, or outside the actor's scope: the two look the same from outside."""

    status = 404

    def __init__(self, message: str | Promise, **kwargs: Any) -> None:
        super().__init__(message, code="not_found", **kwargs)


class InvalidTransition(ApplicationError):
    """The case is not in a state that allows this action (often: someone acted first)."""

    status = 409

    def __init__(self, message: str | Promise, **kwargs: Any) -> None:
        super().__init__(message, code="conflict", **kwargs)


class RateLimited(ApplicationError):
    """Too many tries from one address (or at one case number): wait `retry_after` seconds (HTTP 429)."""

    status = 429

    def __init__(self, message: str | Promise, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, code="rate_limited", **kwargs)
        self.retry_after = max(1, int(retry_after))
