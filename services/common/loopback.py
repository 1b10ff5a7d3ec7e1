"""Local processes on loopback: a free port to bind, and the status a local HTTP endpoint answers.

Used by everything that starts servers beside each other on one machine (tritonserver, the gateway in
`make cluster` and `make load`, the tests), so that each asks the kernel for ports the same way.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

LOOPBACK = "127.0.0.1"


def free_port(*addresses: str) -> int:
    """A TCP port free a moment ago on every one of `addresses` (default: 127.0.0.1). Replicas bound to
    different loopback addresses share one port number, so the port must be free on all of them."""
    first, *others = addresses or (LOOPBACK,)
    while True:
        with socket.socket() as probe:
            probe.bind((first, 0))
            port = int(probe.getsockname()[1])
        try:
            for address in others:
                with socket.socket() as other:
                    other.bind((address, port))
        except OSError:
            continue
        return port


def http_status(url: str, timeout: float = 2.0) -> int:
    """The HTTP status `url` answers with, or 0 when nothing answers (not started yet, or gone)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:  # URLError is an OSError: refused, reset, timed out
        return 0
