"""One exception hierarchy for every stage; the gateway maps each class to one HTTP status."""

from __future__ import annotations


class TryOnError(Exception):
    """Base class: a failure with a message that tells the caller what to do."""

    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(TryOnError):
    """The request itself is wrong (bad image, wrong tensor, unknown option)."""

    status_code = 422
    code = "invalid_input"


class PayloadTooLarge(InvalidInput):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(InvalidInput):
    status_code = 415
    code = "unsupported_media_type"


class Unauthorized(TryOnError):
    """No API key, or one that is not valid."""

    status_code = 401
    code = "unauthorized"


class Forbidden(TryOnError):
    """A valid key without the right: admin routes need the admin key."""

    status_code = 403
    code = "forbidden"


class NotFound(TryOnError):
    """A resource of ours (a catalog garment) does not exist for this tenant."""

    status_code = 404
    code = "not_found"


class Conflict(TryOnError):
    """The request contradicts the current state (a taken SKU, a version that still has traffic)."""

    status_code = 409
    code = "conflict"


class ModelNotFound(TryOnError):
    """No such model, or no such version of it, in the repository."""

    status_code = 404
    code = "model_not_found"


class ModelNotReady(TryOnError):
    """The model exists but is not loaded (or is still loading)."""

    status_code = 503
    code = "model_not_ready"


class BackendUnavailable(TryOnError):
    """The model server cannot be reached or failed while serving."""

    status_code = 503
    code = "backend_unavailable"


class Overloaded(TryOnError):
    """Too much work queued: retry later instead of waiting longer."""

    status_code = 429
    code = "overloaded"


class DeadlineExceeded(TryOnError):
    status_code = 504
    code = "deadline_exceeded"
