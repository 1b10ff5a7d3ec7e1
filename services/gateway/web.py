"""The try-on web page: `GET /` and its assets under `/static/`, all served by the gateway (no CDN)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent / "static"

# Explicit types: `mimetypes` reads the host's /etc/mime.types, so its answer for .js differs between machines.
MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

# The page loads nothing from elsewhere; the policy makes a stray external URL fail loudly in development.
# blob: is the try-on result and the previews of the chosen files.
HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' blob:; style-src 'self'; script-src 'self'; "
                               "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # Revalidate on every load so a new deployment's page and script are never mixed with cached ones.
    "Cache-Control": "no-cache",
}

# Only the files shipped with the page are served: no directory listing, no path walking.
ASSETS = {path.name: path for path in STATIC.iterdir() if path.suffix in MEDIA_TYPES and path.name != "index.html"}

router = APIRouter(include_in_schema=False)


def _file(path: Path) -> FileResponse:
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)


@router.get("/")
async def index() -> FileResponse:
    return _file(STATIC / "index.html")


@router.get("/static/{name}")
async def asset(name: str) -> FileResponse:
    path = ASSETS.get(name)
    if path is None:
        raise HTTPException(404, f"no file '{name}' under /static/")
    return _file(path)
