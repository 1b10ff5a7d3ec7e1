"""One handler per error family: every failure becomes a JSON body with a precise status, never a traceback."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from fittingroom.common.errors import (
    BackendUnavailable,
    Conflict,
    DeadlineExceeded,
    Forbidden,
    InvalidInput,
    ModelNotFound,
    ModelNotReady,
    NotFound,
    Overloaded,
    PayloadTooLarge,
    TryOnError,
    Unauthorized,
    UnsupportedMediaType,
)

log = logging.getLogger(__name__)

# Most specific first: a subclass (PayloadTooLarge is an InvalidInput) takes its own status.
HTTP_STATUS: dict[type[TryOnError], int] = {
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    InvalidInput: 422,
    Unauthorized: 401,
    Forbidden: 403,
    NotFound: 404,
    ModelNotFound: 404,
    Conflict: 409,
    Overloaded: 429,
    ModelNotReady: 503,
    BackendUnavailable: 503,
    DeadlineExceeded: 504,
}


def http_status(exc: TryOnError) -> int:
    """The HTTP status of an error of ours: its class's, else its nearest base class's, else 500."""
    return next((status for cls, status in HTTP_STATUS.items() if isinstance(exc, cls)), 500)

RETRY_AFTER_S = {Overloaded: 1, BackendUnavailable: 5, ModelNotReady: 5}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, object]:
    detail: dict[str, object] = {"code": code, "message": message}
    if field:
        detail["field"] = field
    return {"error": detail}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TryOnError)
    async def tryon_error(request: Request, exc: TryOnError) -> JSONResponse:
        request.state.error_code = exc.code
        headers = {}
        retry = getattr(exc, "retry_after_s", None) or next(
            (s for cls, s in RETRY_AFTER_S.items() if isinstance(exc, cls)), None)
        if retry is not None:
            headers["Retry-After"] = str(max(1, math.ceil(retry)))
        status = http_status(exc)
        if status >= 500:
            log.warning("request failed: %s", exc.message)
        return JSONResponse(error_body(exc.code, exc.message, exc.field), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        request.state.error_code = "invalid_request"
        problems = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":  # loc is ("body", offset): name the body, not a number
                problems.append(f"body: {err.get('msg')} at character {err['loc'][-1]} "
                                f"({err.get('ctx', {}).get('error', 'invalid JSON')})")
                continue
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "header"))
            problems.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
        first = exc.errors()[0].get("loc", ("",))[-1] if exc.errors() else None
        if exc.errors() and exc.errors()[0].get("type") == "json_invalid":
            first = "body"
        return JSONResponse(error_body("invalid_request", "; ".join(problems), str(first) if first else None), 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        request.state.error_code = f"http_{exc.status_code}"
        return JSONResponse(error_body(f"http_{exc.status_code}", str(exc.detail)), exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        request.state.error_code = "internal_error"
        log.exception("unexpected error")  # the trace goes to the log, never to the client
        return JSONResponse(error_body("internal_error", "internal error; the request id is in the logs"), 500)
