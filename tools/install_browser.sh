#!/usr/bin/env bash
# Installs headless Chromium and its WebDriver from Debian for the browser tests (tests/browser/).
# A browser cannot be downloaded any other way on our machines, so this never fetches a browser build.
# Idempotent: does nothing when both binaries are already there. When the install is impossible (no apt,
# no root, no network) it says so and exits 0: the browser tests then skip with that reason, and the rest
# of `make test` still runs.
set -uo pipefail

CHROMIUM=/usr/bin/chromium
DRIVER=/usr/bin/chromedriver

if [ -x "$CHROMIUM" ] && [ -x "$DRIVER" ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_browser: apt-get not found; browser tests will be skipped" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_browser: not root and no passwordless sudo; browser tests will be skipped" >&2
        exit 0
    fi
fi

echo "install_browser: installing chromium and chromium-driver from Debian"
if $SUDO apt-get update -q >/dev/null \
    && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; then
    "$CHROMIUM" --version
    "$DRIVER" --version
else
    echo "install_browser: apt-get could not install chromium; browser tests will be skipped" >&2
fi
exit 0
