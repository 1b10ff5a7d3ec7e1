"""A streaming guard on request size: bytes are counted as they arrive, so an oversized upload is refused
after at most `max_body_bytes` have been read, whether or not it declared a Content-Length.

Without it, Starlette's multipart parser spools every uploaded file (in memory up to 1 MB, then in a
temporary file) before any route sees it, so a chunked upload of gigabytes would fill the disk before
the route's own size check ran. Headers are bounded too: uvicorn's h11 parser cuts a header block
beyond 16 KiB with a bare 400; below that, this guard answers oversized headers with a JSON 431.

Browsers, `requests` and curl send their whole body before they read the answer. If the server closes
with bytes of it still unread, the kernel answers those with a reset, and the client may report a
broken connection instead of the 413 (Chromium then shows the status with an empty body). So, as
nginx's lingering close does, the overshoot is read and thrown away before the 413 goes out, up to
another `max_body_bytes` and `DRAIN_SECONDS`; a body larger than that is cut at once.
"""

from __future__ import annotations

import json

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fittingroom.common.errors import PayloadTooLarge
from fittingroom.gateway.errors import HTTP_STATUS, error_body

# The largest header block a legitimate client sends is a bearer key, a request id and a pin header.
MAX_HEADER_BYTES = 8192
HEADERS_TOO_LARGE = 431
# How long a refused body is read and discarded; a client on a slow link gets its reset after that.
DRAIN_SECONDS = 5.0


class BodyLimit:
    """Pure ASGI middleware (no buffering): counts body bytes per request and stops at the limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_header_bytes: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_header_bytes = max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        header_bytes = sum(len(name) + len(value) for name, value in headers)
        if header_bytes > self.max_header_bytes:
            name = max(headers, key=lambda h: len(h[1]))[0].decode("latin-1")
            await _reply(scope, send, HEADERS_TOO_LARGE, "headers_too_large",
                         f"request headers are {header_bytes} bytes (largest: '{name}'); "
                         f"the limit is {self.max_header_bytes}", name)
            return
        declared = dict(headers).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            # A client that asked to "Expect: 100-continue" sends nothing until told to: no drain.
            if int(declared) <= 2 * self.max_body_bytes and b"100-continue" not in dict(headers).get(b"expect", b""):
                await _drain(receive, int(declared))
            await self._too_large(scope, send, f"request body is {int(declared)} bytes")
            return
        await _Guarded(self, scope, receive, send).run()

    async def _too_large(self, scope: Scope, send: Send, what: str) -> None:
        await _reply(scope, send, HTTP_STATUS[PayloadTooLarge], PayloadTooLarge.code,
                     f"{what}; the limit is {self.max_body_bytes} bytes (TRYON_MAX_UPLOAD_BYTES)", "body")


class _Guarded:
    """One request: once the count passes the limit, the 413 goes out at once and the app sees a client
    disconnect, so it stops reading; anything the app still sends is dropped."""

    def __init__(self, limit: BodyLimit, scope: Scope, receive: Receive, send: Send) -> None:
        self.limit, self.scope, self._receive, self._send = limit, scope, receive, send
        self.received = 0
        self.started = False
        self.refused = False

    async def run(self) -> None:
        await self.limit.app(self.scope, self.receive, self.send)

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit.max_body_bytes:
                self.refused = True
                if not self.started:
                    self.started = True
                    if message.get("more_body", False):
                        await _drain(self._receive, self.limit.max_body_bytes)
                    await self.limit._too_large(self.scope, self._send,
                                                f"request body passed {self.limit.max_body_bytes} bytes")
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if self.refused:
            return
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


async def _drain(receive: Receive, budget: int) -> None:
    """Reads and discards the rest of a request body: until its end, `budget` bytes, or DRAIN_SECONDS."""
    with anyio.move_on_after(DRAIN_SECONDS):
        while budget >= 0:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return
            budget -= len(message.get("body", b""))


async def _reply(scope: Scope, send: Send, status: int, code: str, message: str, field: str) -> None:
    # Recorded like the error handlers do, so the request metrics count it by code.
    scope.setdefault("state", {})["error_code"] = code
    body = json.dumps(error_body(code, message, field)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
