"""Schemathesis against the live gateway's own OpenAPI schema: every operation, generated valid and invalid
requests, and not one 5xx answer.

Only the status is checked (no 5xx): schemathesis' other checks are about documentation conformance (for
instance, FastAPI documents its own 422 body, while the gateway answers with its `{"error": ...}` body),
which is not what this test is about. No operation is excluded. Without API keys (loopback) every caller
is the anonymous admin, so the admin routes are fuzzed too; random model names never match a real one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from helpers import live_gateway
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from reliability_support import gateway_settings
from schemathesis import APIOperation, BaseSchema, GenerationMode

log = logging.getLogger(__name__)

# Bounded so that the whole run stays well under two minutes on two cores.
EXAMPLES_PER_OPERATION = 30


@pytest.fixture(scope="module")
def gateway_schema(repository: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, BaseSchema]]:
    state = tmp_path_factory.mktemp("openapi-fuzz")
    with live_gateway(gateway_settings(repository, state, tenant_rate_per_s=10_000, tenant_burst=10_000)) as url:
        yield url, schemathesis.openapi.from_url(f"{url}/openapi.json")


def operations(schema: BaseSchema) -> list[APIOperation]:
    return [result.ok() for result in schema.get_all_operations()]


# schemathesis' own pytest plugin does not run under pytest 9 (it reads a private `_nodeid`), so each
# operation's strategy is driven by Hypothesis directly; the generated cases are the same.
@pytest.mark.integration
@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_operation_answers_5xx(gateway_schema: tuple[str, BaseSchema], mode: GenerationMode) -> None:
    url, schema = gateway_schema
    found = operations(schema)
    assert len(found) >= 15, [op.label for op in found]
    calls: dict[str, list[int]] = {}
    impossible: list[str] = []

    for operation in found:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=url, timeout=60)
            calls.setdefault(case.operation.label, []).append(response.status_code)
            assert response.status_code < 500, f"{case.operation.label}: {response.status_code} {response.text[:300]}"

        try:
            call()
        except Unsatisfiable:  # e.g. GET /healthz takes no input, so no invalid request exists for it
            assert mode is GenerationMode.NEGATIVE, operation.label
            impossible.append(operation.label)
    log.info("%s: %d requests over %d operations, statuses %s; no invalid request possible for %s", mode.value,
             sum(map(len, calls.values())), len(calls), sorted({s for codes in calls.values() for s in codes}),
             impossible)
    assert len(calls) + len(impossible) == len(found)
