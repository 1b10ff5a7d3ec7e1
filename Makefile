# Entry points: `make demo` (set up + design try-on on sample images), `make test` (set up + every test).
# Everything installs from this repository's own files; nothing is assumed on the machine but python3.11.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
INSTALLED := $(VENV)/.installed
REPOSITORY := model_repository
REPOSITORY_STAMP := .cache/exported.stamp
PYTEST_ARGS ?=

.PHONY: install system-packages repository demo test unit lint typecheck k8s-check bench load cluster clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[export,dev]'
	touch $@

install: $(INSTALLED)

# The Debian packages the tests need (browser, PostgreSQL server, promtool); fails when it cannot install them.
system-packages:
	bash tools/install_system_packages.sh

# Fetches the registry weights (pinned by sha256) and exports every model; cheap when up to date.
# Architectures and the operator's checkpoints (TRYON_WEIGHTS_DIR) are inputs too: export rebuilds
# only the models whose fingerprint they change.
$(REPOSITORY_STAMP): $(INSTALLED) $(wildcard export/*.py services/*/*.py) \
		$(if $(TRYON_WEIGHTS_DIR),$(wildcard $(TRYON_WEIGHTS_DIR)/*))
	$(PY) -m fittingroom.export --repository $(REPOSITORY)
	mkdir -p $(dir $@) && touch $@

repository: $(REPOSITORY_STAMP)

demo: $(REPOSITORY_STAMP)
	$(BIN)/tryon design --out out/demo/tryon.png
	@echo "open out/demo/tryon.png; timings and model versions in out/demo/report.json"

# The layer rules (pyproject's [tool.importlinter] contracts) are checked on the same tree of links that mypy
# reads: import-linter, like mypy, cannot follow setuptools' editable-install finder.
lint: $(INSTALLED)
	$(BIN)/ruff check services export tests tools $(wildcard load-tests bench)
	$(PY) tools/typecheck_tree.py build/typecheck
	PYTHONPATH=build/typecheck $(BIN)/lint-imports --no-cache

# mypy cannot follow setuptools' editable-install finder, and services/warp-gen is not a valid module
# name, so it checks a tree of links laid out like the installed package. tools/cluster.py is checked through bench.
typecheck: $(INSTALLED)
	$(PY) tools/typecheck_tree.py build/typecheck
	$(BIN)/mypy build/typecheck/fittingroom
	MYPYPATH=build/typecheck $(BIN)/mypy bench load-tests/run.py load-tests/locustfile.py

# pytest exits 5 when it collects nothing: that is a failure of the suite, reported as such.
test: system-packages $(REPOSITORY_STAMP) lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$rc

# Renders and validates the Kubernetes manifests, rules and dashboards with real tools (deploy/README.md).
k8s-check: $(REPOSITORY_STAMP)
	bash deploy/check.sh

# Benchmarks: ratios measured in one run on this machine; bench/results/*.json + PNGs, bench/README.md.
# BENCH_ARGS are passed on (`make bench BENCH_ARGS="tryon report"`, `BENCH_ARGS="--device cuda"`).
BENCH_ARGS ?=
bench: $(REPOSITORY_STAMP)
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) -m bench $(BENCH_ARGS)

# Load test: gateway (+ local Triton with LOAD_ARGS=--backend=triton) on loopback, locust headless for a
# bounded time per scenario, everything stopped after; CSV, HTML and PNG in load-tests/results/.
LOAD_ARGS ?=
load: $(REPOSITORY_STAMP)
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) load-tests/run.py $(LOAD_ARGS)

# The scale-out stack on loopback (tools/cluster.py): PostgreSQL, a model store, two tritonserver replicas on
# 127.0.0.2 and 127.0.0.3 (same port), two gateways sharing the database; prints where each is; Ctrl-C stops it.
cluster: $(REPOSITORY_STAMP)
	$(PY) tools/cluster.py $(CLUSTER_ARGS)

unit: $(REPOSITORY_STAMP)
	$(BIN)/pytest -m "not integration" $(PYTEST_ARGS)

clean:
	rm -rf build out .pytest_cache .mypy_cache .ruff_cache
