"""One exception hierarchy for every layer; each says what went wrong in words and a stable `code`.

No transport status lives here: the gateway maps each class to its HTTP status (gateway/errors.py), the
CLI to exit code 2 for the caller's mistakes.
"""

from __future__ import annotations


class TryOnError(Exception):
    """Base class: a failure with a message that tells the caller what to do."""

    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(TryOnError):
    """The request itself is wrong (bad image, wrong tensor, unknown option)."""

    code = "invalid_input"


class PayloadTooLarge(InvalidInput):
    code = "payload_too_large"


class UnsupportedMediaType(InvalidInput):
    code = "unsupported_media_type"


class Unauthorized(TryOnError):
    """No API key, or one that is not valid."""

    code = "unauthorized"


class Forbidden(TryOnError):
    """A valid key without the right: admin routes need the admin key."""

    code = "forbidden"


class NotFound(TryOnError):
    """A resource of ours (a catalog garment) does not exist for this tenant."""

    code = "not_found"


class Conflict(TryOnError):
    """The request contradicts the current state (a taken SKU, a version that still has traffic)."""

    code = "conflict"


class ModelNotFound(TryOnError):
    """No such model, or no such version of it, in the repository."""

    code = "model_not_found"


class ModelNotReady(TryOnError):
    """The model exists but is not loaded (or is still loading)."""

    code = "model_not_ready"


class BackendUnavailable(TryOnError):
    """The model server cannot be reached or failed while serving."""

    code = "backend_unavailable"


class Overloaded(TryOnError):
    """Too much work queued: retry later instead of waiting longer."""

    code = "overloaded"


class DeadlineExceeded(TryOnError):
    code = "deadline_exceeded"
