"""Offline validation of everything under deploy/: `make k8s-check` (through deploy/check.sh).

Steps, each with real tools:
  1. render   every kustomize overlay (the pinned kubectl's embedded kustomize, or a kustomize binary);
  2. schema   every rendered object against the Kubernetes JSON schemas (kubernetes-validate, strict)
              for each version in K8S_VERSIONS; prometheus-operator objects against its CRD schemas;
  3. policy   the project's own rules on the rendered objects (security context, probes, PDB/HPA per
              Deployment, NetworkPolicy reachability, GPU only in prod, models to load exist, headless
              Triton Services with a gRPC connection age, the device profile each overlay serves);
  4. docker   hadolint on the Dockerfiles, plus structural rules hadolint does not know;
  5. rules    promtool check rules / check config / test rules, and every alert tested to fire and
              not to fire;
  6. metrics  every metric name used in rules, adapter config, HPAs and dashboard is exported by the
              gateway (scraped live from `tryon serve` on a loopback port) or by Triton
              (deploy/metrics/triton-metrics.txt); the dashboard and adapter queries parse in promtool.

Exit status 0 when every step passes. A summary goes to stdout and out/k8s-check/summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parent
ROOT = DEPLOY.parent
K8S = DEPLOY / "k8s"
OBS = DEPLOY / "observability"
PROM = OBS / "prometheus"
RULE_FILES = sorted((PROM / "rules").glob("*.yaml"))
RULE_TESTS = sorted((PROM / "tests").glob("*.test.yaml"))
ADAPTER = OBS / "prometheus-adapter" / "config.yaml"
DASHBOARDS = sorted((OBS / "grafana").glob("*.json"))
TRITON_METRICS = DEPLOY / "metrics" / "triton-metrics.txt"
KSM_METRICS = DEPLOY / "metrics" / "kube-state-metrics.txt"
OPERATOR = OBS / "operator"
CRD_VALIDATOR = DEPLOY / "validate_crds.mjs"
# @kubernetes-models/prometheus-operator, installed by deploy/check.sh (npm) for the CRD schemas.
CRD_MODELS = ROOT / ".cache" / "k8s-check-npm" / "node_modules"
CRD_GROUP = "monitoring.coreos.com/"
DOCKERFILES = sorted((DEPLOY / "docker").glob("*.Dockerfile"))
HADOLINT_CONFIG = DEPLOY / "docker" / ".hadolint.yaml"
MODEL_REPOSITORY = ROOT / "model_repository"

# The oldest Kubernetes minor this deployment supports, and the newest that kubernetes-validate
# 1.37.0 ships schemas for.
K8S_VERSIONS = ("1.30.0", "1.37.0")
# Series Prometheus makes itself for every scrape target; not exported by anyone.
PROMETHEUS_SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS",
                        "ALERTS_FOR_STATE"}
# Buckets the SLO rules read (le="2.5", le="5.0"): they must exist in the gateway histogram.
SLO_HISTOGRAM = "tryon_request_duration_seconds"
TRITON_HTTP, TRITON_GRPC, TRITON_METRICS_PORT = 8000, 8001, 8002


class CheckFailed(Exception):
    pass


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def error(self, step: str, msg: str) -> None:
        self.errors.append(f"[{step}] {msg}")
        print(f"  FAIL {msg}", flush=True)

    def warn(self, step: str, msg: str) -> None:
        self.warnings.append(f"[{step}] {msg}")
        print(f"  WARN {msg}", flush=True)


def _stop(proc: subprocess.Popen[bytes], grace_s: float) -> None:
    """SIGTERM, then SIGKILL for the whole process group if it has not exited within `grace_s`."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def log(msg: str) -> None:
    print(msg, flush=True)


def run(cmd: list[str], *, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def venv_bin(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    return str(here) if here.exists() else shutil.which(name)


# ---------------------------------------------------------------- 1. render


def kustomize_command() -> tuple[list[str], str]:
    """The kustomize renderer and its version: kubectl's embedded kustomize, the pinned kubectl beside this Python
    first (deploy/requirements-check.txt, which check.sh installs), else one on PATH; else a kustomize binary."""
    kubectl = venv_bin("kubectl")
    if kubectl:
        out = run([kubectl, "version", "--client", "-o", "json"]).stdout
        info = json.loads(out) if out.strip().startswith("{") else {}
        kv = info.get("kustomizeVersion", "?")
        cv = info.get("clientVersion", {}).get("gitVersion", "?")
        major = re.match(r"v?(\d+)", kv)
        if major and int(major.group(1)) < 5:
            raise CheckFailed(f"kubectl {cv} embeds kustomize {kv}; the kustomizations here need v5+")
        return [kubectl, "kustomize"], f"kubectl {cv} (kustomize {kv})"
    if shutil.which("kustomize"):
        out = run(["kustomize", "version"]).stdout.strip()
        return ["kustomize", "build"], f"kustomize {out}"
    raise CheckFailed("no kustomize renderer: pip install -r deploy/requirements-check.txt (kubectl with kustomize "
                      "v5+ inside)")


def overlays() -> list[Path]:
    return sorted(p for p in (K8S / "overlays").iterdir() if (p / "kustomization.yaml").is_file())


def render(report: Report, out: Path) -> dict[str, list[dict[str, Any]]]:
    cmd, version = kustomize_command()
    report.facts["kustomize"] = version
    log(f"render: {version}")
    rendered: dict[str, list[dict[str, Any]]] = {}
    for target in [K8S / "base", OBS, OPERATOR, *overlays()]:
        name = target.name if target.parent.name == "overlays" else target.relative_to(DEPLOY).as_posix()
        proc = run([*cmd, str(target)])
        if proc.returncode != 0:
            report.error("render", f"{name}: {proc.stderr.strip()}")
            continue
        (out / f"{name.replace('/', '_')}.yaml").write_text(proc.stdout)
        docs = [d for d in yaml.safe_load_all(proc.stdout) if d]
        rendered[name] = docs
        kinds = Counter(d["kind"] for d in docs)
        log(f"  {name}: {len(docs)} objects ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))})")
    report.facts["rendered_objects"] = {k: len(v) for k, v in rendered.items()}
    return rendered


# ---------------------------------------------------------------- 2. schema


def validate_schemas(report: Report, rendered: dict[str, list[dict[str, Any]]]) -> None:
    from importlib.metadata import version as dist_version

    from kubernetes_validate import utils as kv

    report.facts["kubernetes_validate"] = dist_version("kubernetes-validate")
    log(f"schema: kubernetes-validate, strict, Kubernetes {', '.join(K8S_VERSIONS)}")
    counts = {}
    for name, docs in rendered.items():
        ok = 0
        for doc in docs:
            ident = f"{name}: {doc['kind']}/{doc['metadata'].get('name')}"
            if doc["apiVersion"].startswith(CRD_GROUP):
                continue  # no schema in kubernetes-validate: validate_crds() checks them
            for version in K8S_VERSIONS:
                try:
                    kv.validate(doc, version, strict=True)
                    ok += 1
                except kv.SchemaNotFoundError:
                    report.error("schema", f"{ident}: no schema for {doc['apiVersion']} in {version}")
                except kv.ValidationError as e:
                    where = "/".join(str(p) for p in e.path)
                    report.error("schema", f"{ident} ({version}) at {where}: {e.message}")
        counts[name] = ok
        log(f"  {name}: {ok} object-version validations passed")
    report.facts["schema_validations_passed"] = counts
    validate_crds(report, rendered)


def validate_crds(report: Report, rendered: dict[str, list[dict[str, Any]]]) -> None:
    """prometheus-operator objects against its CRD schemas (@kubernetes-models/prometheus-operator, node)."""
    node = shutil.which("node")
    crds = {name: [d for d in docs if d["apiVersion"].startswith(CRD_GROUP)] for name, docs in rendered.items()}
    crds = {name: docs for name, docs in crds.items() if docs}
    if not crds:
        return
    if node is None or not (CRD_MODELS / "@kubernetes-models" / "prometheus-operator").is_dir():
        report.error("schema", f"cannot validate {sum(map(len, crds.values()))} prometheus-operator objects: "
                               f"node or {CRD_MODELS} missing (deploy/check.sh installs them)")
        return
    counts = {}
    for name, docs in crds.items():
        proc = subprocess.run([node, str(CRD_VALIDATOR), str(CRD_MODELS)], input=json.dumps(docs),
                              capture_output=True, text=True, timeout=120, check=False)
        if proc.returncode:
            report.error("schema", f"{name}: CRD validator failed: {proc.stderr[-2000:]}")
            continue
        results = json.loads(proc.stdout)
        for r in results:
            if r["error"]:
                report.error("schema", f"{name}: {r['kind']}/{r['name']}: {r['error']}")
        counts[name] = sum(r["error"] is None for r in results)
        log(f"  {name}: {counts[name]} of {len(docs)} prometheus-operator objects match the CRD schemas")
    report.facts["crd_validations_passed"] = counts


# ---------------------------------------------------------------- 3. policy


def pod_specs(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        yield doc["spec"]["template"]["spec"]


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def arg_values(args: list[str], flag: str) -> list[str]:
    return [a.split("=", 1)[1] for a in args if a.startswith(flag + "=")]


def http_probe(probe: dict[str, Any] | None) -> tuple[str, Any] | None:
    if not probe or "httpGet" not in probe:
        return None
    return probe["httpGet"]["path"], probe["httpGet"]["port"]


def check_pod_security(report: Report, step: str, name: str, owner: str, spec: dict[str, Any]) -> None:
    """Restricted pod and container security, pinned images and requests, no GPU in dev."""
    if spec.get("automountServiceAccountToken") is not False:
        report.error(step, f"{owner}: pod mounts a service account token")
    psc = spec.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        report.error(step, f"{owner}: pod securityContext.runAsNonRoot is not true")
    if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        report.error(step, f"{owner}: pod seccompProfile is not RuntimeDefault")
    for c in spec.get("initContainers", []) + spec["containers"]:
        sc = c.get("securityContext", {})
        who = f"{owner}/{c['name']}"
        if sc.get("readOnlyRootFilesystem") is not True:
            report.error(step, f"{who}: readOnlyRootFilesystem is not true")
        if sc.get("allowPrivilegeEscalation") is not False:
            report.error(step, f"{who}: allowPrivilegeEscalation is not false")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            report.error(step, f"{who}: capabilities do not drop ALL")
        image = c["image"]
        tag = image.rsplit("/", 1)[-1].partition(":")[2]
        if not tag or tag == "latest":
            report.error(step, f"{who}: image {image} is not pinned to a tag")
        if not c.get("resources", {}).get("requests"):
            report.error(step, f"{who}: no resource requests")
        if "nvidia.com/gpu" in c.get("resources", {}).get("limits", {}) and name == "dev":
            report.error(step, f"{who}: dev must not request GPUs")


def check_policy(report: Report, name: str, docs: list[dict[str, Any]], adapter_metrics: set[str],
                 repo_models: set[str] | None) -> None:
    step = f"policy:{name}"
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    deployments = by_kind.get("Deployment", [])
    is_overlay = name in {p.name for p in overlays()}
    if not deployments:
        return
    for job in by_kind.get("Job", []):
        check_pod_security(report, step, name, job["metadata"]["name"], job["spec"]["template"]["spec"])

    for sa in by_kind.get("ServiceAccount", []):
        if sa.get("automountServiceAccountToken") is not False:
            report.error(step, f"ServiceAccount {sa['metadata']['name']} mounts its token")

    loaded: dict[str, str] = {}
    for dep in deployments:
        dname = dep["metadata"]["name"]
        spec = dep["spec"]["template"]["spec"]
        pod_labels = dep["spec"]["template"]["metadata"]["labels"]
        check_pod_security(report, step, name, dname, spec)
        # PDB and Service for each Deployment.
        if not any(matches(p["spec"]["selector"]["matchLabels"], pod_labels)
                   for p in by_kind.get("PodDisruptionBudget", [])):
            report.error(step, f"{dname}: no PodDisruptionBudget selects its pods")
        if not any(matches(s["spec"].get("selector", {}), pod_labels) and s["spec"].get("selector")
                   for s in by_kind.get("Service", [])):
            report.error(step, f"{dname}: no Service selects its pods")
        hpas = [h for h in by_kind.get("HorizontalPodAutoscaler", [])
                if h["spec"]["scaleTargetRef"]["name"] == dname]
        if name == "dev":
            if dep["spec"].get("replicas") != 1:
                report.error(step, f"{dname}: dev runs one replica")
        elif not hpas:
            report.error(step, f"{dname}: no HorizontalPodAutoscaler targets it")
        for h in hpas:
            behavior = h["spec"].get("behavior", {})
            if not (behavior.get("scaleUp", {}).get("policies") and behavior.get("scaleDown", {}).get("policies")):
                report.error(step, f"HPA {h['metadata']['name']}: scaleUp and scaleDown policies must be set")
            for m in h["spec"].get("metrics", []):
                if m["type"] in ("Pods", "Object", "External"):
                    metric = m[m["type"].lower()]["metric"]["name"]
                    if metric not in adapter_metrics:
                        report.error(step, f"HPA {h['metadata']['name']}: metric {metric} is not defined "
                                           f"by the prometheus-adapter rules")

        if pod_labels.get("app.kubernetes.io/name") == "gateway":
            hpa_types = {("Resource", m["resource"]["name"]) if m["type"] == "Resource"
                         else (m["type"], m.get(m["type"].lower(), {}).get("metric", {}).get("name"))
                         for h in hpas for m in h["spec"]["metrics"]}
            if name != "dev" and not {("Resource", "cpu"), ("Pods", "tryon_requests_in_flight")} <= hpa_types:
                report.error(step, f"{dname}: HPA must scale on CPU and tryon_requests_in_flight")
        if pod_labels.get("app.kubernetes.io/name") != "triton":
            continue

        # Triton: explicit model control, the group's models, health probes, drain time, GPU in prod.
        t = next(c for c in spec["containers"] if c["name"] == "triton")
        args = t.get("args", [])
        if "--model-control-mode=explicit" not in args:
            report.error(step, f"{dname}: Triton must run with --model-control-mode=explicit")
        models = arg_values(args, "--load-model")
        if not models:
            report.warn(step, f"{dname}: loads no model (--load-model)")
        for m in models:
            if m in loaded:
                report.error(step, f"model {m} is loaded by both {loaded[m]} and {dname}")
            loaded[m] = dname
        sync = next((c for c in spec.get("initContainers", []) if c["name"] == "model-sync"), None)
        if sync is not None:
            includes = {i.strip("/").removesuffix("/**") for i in arg_values(sync.get("args", []), "--include")}
            if includes != set(models):
                report.error(step, f"{dname}: model-sync copies {sorted(includes)} but Triton loads {sorted(models)}")
            if not includes and "--exclude=**" not in sync.get("args", []):
                report.error(step, f"{dname}: model-sync has no --include and would copy the whole repository")
            if sync.get("restartPolicy") != "Always" or not sync.get("startupProbe"):
                report.error(step, f"{dname}: model-sync must be a sidecar (restartPolicy: Always, a startupProbe "
                                   "for the first copy) so versions published to the store reach running pods")
        if "image" in t and "tritonserver" not in t["image"] and not is_overlay:
            report.error(step, f"{dname}: base must use the NGC tritonserver image, not {t['image']}")
        if "nvcr.io/nvidia/tritonserver" in t["image"] and not re.search(r":\d{2}\.\d{2}-py3$", t["image"]):
            report.error(step, f"{dname}: NGC image {t['image']} is not a pinned <yy.mm>-py3 tag")
        expect = {"startupProbe": "/v2/health/ready", "readinessProbe": "/v2/health/ready",
                  "livenessProbe": "/v2/health/live"}
        ports = {p["name"]: p["containerPort"] for p in t.get("ports", [])}
        for probe, path in expect.items():
            got = http_probe(t.get(probe))
            port = got and (ports.get(got[1], got[1]))
            if not got or got[0] != path or port != TRITON_HTTP:
                report.error(step, f"{dname}: {probe} must GET {path} on port {TRITON_HTTP}, has {got}")
        exit_timeout = int((arg_values(args, "--exit-timeout-secs") or ["30"])[0])
        pre_stop = t.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
        sleep_s = int(pre_stop[-1]) if pre_stop[:1] == ["sleep"] else 0
        grace = spec.get("terminationGracePeriodSeconds", 30)
        if grace < exit_timeout + sleep_s:
            report.error(step, f"{dname}: terminationGracePeriodSeconds {grace} < preStop {sleep_s} s "
                               f"+ --exit-timeout-secs {exit_timeout}")
        gpu = t.get("resources", {}).get("limits", {}).get("nvidia.com/gpu")
        if name.startswith("prod"):
            if not gpu:
                report.error(step, f"{dname}: prod Triton must limit nvidia.com/gpu")
            if not spec.get("nodeSelector") or not any(
                    tol.get("key") == "nvidia.com/gpu" for tol in spec.get("tolerations", [])):
                report.error(step, f"{dname}: prod Triton needs a GPU nodeSelector and the nvidia.com/gpu toleration")

    if repo_models is not None and is_overlay:
        missing = sorted(set(loaded) - repo_models)
        unserved = sorted(repo_models - set(loaded))
        for m in missing:
            report.error(step, f"{loaded[m]} loads {m}, which is not in model_repository/ (Triton would not start)")
        for m in unserved:
            report.warn(step, f"model_repository/{m} is served by no Triton group: add --load-model={m} "
                              f"to a group in deploy/k8s/base/triton/")
        report.facts.setdefault("models_per_deployment", {})[name] = {
            d: sorted(m for m, dd in loaded.items() if dd == d) for d in sorted(set(loaded.values()))}

    if is_overlay:
        for d in docs:  # kubectl would put an object without one in the current context's namespace
            if d["kind"] != "Namespace" and not d["metadata"].get("namespace"):
                report.error(step, f"{d['kind']}/{d['metadata']['name']} has no namespace")
        check_balancing(report, step, by_kind)
        check_model_profiles(report, step, name, by_kind)
        check_config_rollouts(report, step, by_kind)
    check_network_policies(report, step, by_kind.get("NetworkPolicy", []), deployments)


# kustomize's configMapGenerator suffix: a dash and 10 characters of the content hash.
HASH_SUFFIX = re.compile(r"-[a-z0-9]{10}$")


def check_config_rollouts(report: Report, step: str, by_kind: dict[str, list[dict[str, Any]]]) -> None:
    """Every ConfigMap a pod reads its environment from is generated with a hash suffix: a change is a new
    name in the pod template, so the Deployment rolls; a fixed name would change under running pods."""
    for kind in ("Deployment", "Job"):
        for doc in by_kind.get(kind, []):
            spec = doc["spec"]["template"]["spec"]
            for c in spec.get("initContainers", []) + spec["containers"]:
                for source in c.get("envFrom", []):
                    ref = source.get("configMapRef", {}).get("name")
                    if ref and not HASH_SUFFIX.search(ref):
                        report.error(step, f"{doc['metadata']['name']}/{c['name']} reads ConfigMap {ref}, which has "
                                           "no content hash in its name: a change to it would not roll the pods")


def triton_deployments(by_kind: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [d for d in by_kind.get("Deployment", [])
            if d["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/name") == "triton"]


def container(spec: dict[str, Any], cname: str) -> dict[str, Any] | None:
    return next((c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == cname), None)


def check_balancing(report: Report, step: str, by_kind: dict[str, list[dict[str, Any]]]) -> None:
    """Each Triton group behind a headless Service, named by the gateway as `dns:///<fqdn>:8001`, and
    Triton closing connections after a maximum age so that clients re-resolve and reach new pods."""
    gateway = next((d for d in by_kind.get("Deployment", []) if d["metadata"]["name"] == "gateway"), None)
    maps = {c["metadata"]["name"]: c.get("data", {}) for c in by_kind.get("ConfigMap", [])}
    env: dict[str, str] = {}
    for c in gateway["spec"]["template"]["spec"]["containers"] if gateway else []:
        for source in c.get("envFrom", []):
            env |= maps.get(source.get("configMapRef", {}).get("name", ""), {})
    urls = set(json.loads(env.get("TRYON_TRITON_URLS", "{}")).values()) | {env.get("TRYON_TRITON_URL", "")}
    for dep in triton_deployments(by_kind):
        labels = dep["spec"]["template"]["metadata"]["labels"]
        services = [s for s in by_kind.get("Service", []) if s["spec"].get("selector")
                    and matches(s["spec"]["selector"], labels)]
        for svc in services:
            sname, namespace = svc["metadata"]["name"], svc["metadata"].get("namespace", "default")
            if svc["spec"].get("clusterIP") != "None":
                report.error(step, f"Service {sname}: not headless (clusterIP: None); gRPC would pin each "
                                   f"gateway to one {dep['metadata']['name']} pod")
            want = f"dns:///{sname}.{namespace}.svc.cluster.local:{TRITON_GRPC}"
            if want not in urls:
                report.error(step, f"the gateway does not reach {sname} as {want} (TRYON_TRITON_URLS: {sorted(urls)})")
        args = next(c for c in dep["spec"]["template"]["spec"]["containers"] if c["name"] == "triton").get("args", [])
        if not arg_values(args, "--grpc-max-connection-age"):
            report.error(step, f"{dep['metadata']['name']}: no --grpc-max-connection-age: connections never "
                               "close, clients never re-resolve, new replicas get no traffic")


def export_job(by_kind: dict[str, list[dict[str, Any]]]) -> tuple[dict[str, Any], dict[str, str]] | None:
    """The model-export Job's pod spec and its exporter options (--device, --flavour), if the overlay has one."""
    for job in by_kind.get("Job", []):
        spec = job["spec"]["template"]["spec"]
        export = container(spec, "export")
        if export is not None:
            args = export.get("args", [])
            options = {a.removeprefix("--"): v for a, v in pairwise(args) if a.startswith("--")}
            return spec, options
    return None


def check_model_profiles(report: Report, step: str, name: str, by_kind: dict[str, list[dict[str, Any]]]) -> None:
    """The configs each overlay's Triton loads, checked like Triton loads them and for the device profile.

    dev serves the committed model_repository/ (baked into its image): the CPU profile. prod serves
    what the model-export Job writes to the store: the configs its --device/--flavour produce are
    rendered here from the same exporter code, and must be the GPU profile, with the TensorRT engine
    cache on a writable volume of every Triton container.
    """
    from fittingroom.export.config_rules import config_problems, device_problems, parse, repository_problems

    groups = triton_deployments(by_kind)
    loaded = {m for d in groups for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == "triton"
              for m in arg_values(c.get("args", []), "--load-model")}
    job = export_job(by_kind)
    if name == "dev":
        for model, problems in repository_problems(MODEL_REPOSITORY, device="cpu").items():
            report.error(step, f"model_repository/{model}: " + "; ".join(problems))
        return
    if job is None:
        report.error(step, "no model-export Job: nothing says which profile the model store holds")
        return
    spec, options = job
    device, flavour = options.get("device", "cpu"), options.get("flavour", "onnxruntime")
    if device != "gpu":
        report.error(step, f"model-export Job exports --device {device}: prod Triton runs on GPUs (--device gpu)")
    from fittingroom.export.flavours import FLAVOURS
    from fittingroom.export.model_recipes import BUILDERS
    from fittingroom.export.profiles import DEVICES, render_profile_config

    if flavour not in FLAVOURS or device not in DEVICES:
        report.error(step, f"model-export Job: unknown --flavour {flavour} or --device {device}")
        return
    cache_paths = set()
    for model in sorted(loaded & set(BUILDERS)):
        text = render_profile_config(BUILDERS[model].spec, FLAVOURS[flavour], DEVICES[device])
        for problem in config_problems(text) + device_problems(text, "gpu"):
            report.error(step, f"{model} ({flavour} flavour, --device {device}): {problem}")
        for accelerator in parse(text).optimization.execution_accelerators.gpu_execution_accelerator:
            cache_paths |= {v for k, v in accelerator.parameters.items() if k == "trt_engine_cache_path"}
    for dep in groups:
        mounts = [m for m in next(c for c in dep["spec"]["template"]["spec"]["containers"]
                                  if c["name"] == "triton").get("volumeMounts", []) if not m.get("readOnly")]
        for path in sorted(cache_paths):
            if not any(Path(path).is_relative_to(m["mountPath"]) for m in mounts):
                report.error(step, f"{dep['metadata']['name']}: no writable volume at {path} (TensorRT engine cache)")
    sources = {a for d in groups for c in d["spec"]["template"]["spec"].get("initContainers", [])
               if c["name"] == "model-sync" for a in c.get("args", []) if a.startswith(":s3:")}
    publish = container(spec, "publish")
    if publish is None or not sources <= set(publish.get("args", [])):
        report.error(step, f"model-export Job does not publish to where Triton copies from ({sorted(sources)})")
    # Files first, then records: the versions' records go to the gateways' database once the copy is complete.
    record = next((c for c in spec["containers"] if c["name"] == "record"), None)
    runs = " ".join(record.get("command", []) + record.get("args", [])) if record else ""
    if "fittingroom.gateway.publish" not in runs or "--repository" not in runs or publish not in spec.get(
            "initContainers", []):
        report.error(step, "model-export Job does not record its versions (a `record` container running "
                           "`python -m fittingroom.gateway.publish --repository` after the `publish` init container): "
                           "the gateways would serve them without their export records")
    if flavour == "tensorrt":
        check_plan_target(report, step, spec, groups, by_kind)
    report.facts.setdefault("model_profiles", {})[name] = {
        "device": device, "flavour": flavour, "models_checked": sorted(loaded & set(BUILDERS)),
        "trt_engine_cache": sorted(cache_paths)}


GPU_PRODUCT = "nvidia.com/gpu.product"  # GPU feature discovery's node label: the GPU model


def check_plan_target(report: Report, step: str, job_spec: dict[str, Any], groups: list[dict[str, Any]],
                      by_kind: dict[str, list[dict[str, Any]]]) -> None:
    """TensorRT plans run only on the GPU model and TensorRT release that built them: the Job builds on
    a GPU of the product the Triton pods are pinned to, and the store prefix names that product and the
    tritonserver release (which fixes the TensorRT release)."""
    product = job_spec.get("nodeSelector", {}).get(GPU_PRODUCT)
    export = container(job_spec, "export") or {}
    if not product or "nvidia.com/gpu" not in export.get("resources", {}).get("limits", {}):
        report.error(step, f"model-export Job builds TensorRT plans without a GPU of a given model "
                           f"(nodeSelector {GPU_PRODUCT} and an nvidia.com/gpu limit)")
    triton_tags = set()
    for dep in groups:
        pod = dep["spec"]["template"]["spec"]
        if pod.get("nodeSelector", {}).get(GPU_PRODUCT) != product:
            report.error(step, f"{dep['metadata']['name']}: serves plans built on {product} but is not pinned to "
                               f"it (nodeSelector {GPU_PRODUCT})")
        triton_tags |= {c["image"].rsplit(":", 1)[-1].removesuffix("-py3") for c in pod["containers"]
                        if c["name"] == "triton"}
    prefixes = {c.get("data", {}).get("MODEL_PREFIX", "") for c in by_kind.get("ConfigMap", [])
                if c["metadata"]["name"].startswith("model-store")}
    for prefix in prefixes:
        missing = [part for part in (product, *(f"tritonserver-{t}" for t in sorted(triton_tags)))
                   if part and part not in prefix.split("/")]
        if missing:
            report.error(step, f"MODEL_PREFIX {prefix} does not name {missing}: plans of another GPU model or "
                               f"TensorRT release could be served")


def check_network_policies(report: Report, step: str, policies: list[dict[str, Any]],
                           deployments: list[dict[str, Any]]) -> None:
    """Default deny; Triton's ports open only to the gateway, its metrics port only to Prometheus."""
    if not any(p["spec"].get("podSelector") == {} and {"Ingress", "Egress"} <= set(p["spec"].get("policyTypes", []))
               and not p["spec"].get("ingress") and not p["spec"].get("egress") for p in policies):
        report.error(step, "no default-deny NetworkPolicy (podSelector {}, Ingress+Egress, no rules)")
    for dep in deployments:
        labels = dep["spec"]["template"]["metadata"]["labels"]
        app = labels.get("app.kubernetes.io/name")
        opened: set[Any] = set()
        for p in policies:
            if not matches(p["spec"]["podSelector"].get("matchLabels", {}), labels):
                continue
            pname = p["metadata"]["name"]
            for rule in p["spec"].get("ingress", []):
                ports = {pp.get("port", "*") for pp in rule.get("ports", [])} or {"*"}
                opened |= ports
                for peer in rule.get("from") or [{"anywhere": True}]:
                    peer_app = peer.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
                    same_ns = not ({"namespaceSelector", "ipBlock", "anywhere"} & set(peer))
                    if app == "gateway" and "anywhere" in peer:
                        report.error(step, f"{pname}: the gateway is open to any source")
                    if app != "triton":
                        continue
                    metrics = ports & {TRITON_METRICS_PORT, "metrics", "*"}
                    others = ports - {TRITON_METRICS_PORT, "metrics"}
                    if metrics and peer_app != "prometheus":
                        report.error(step, f"{pname}: Triton metrics port open to {peer}")
                    if others and not (peer_app == "gateway" and same_ns):
                        report.error(step, f"{pname}: Triton ports {sorted(map(str, others))} open to {peer}")
        if app == "triton" and not {TRITON_GRPC, TRITON_METRICS_PORT} <= opened:
            report.error(step, f"{dep['metadata']['name']}: NetworkPolicies do not open gRPC {TRITON_GRPC} "
                               f"and metrics {TRITON_METRICS_PORT} (opened: {sorted(map(str, opened))})")


def model_repository_models() -> set[str] | None:
    if not MODEL_REPOSITORY.is_dir():
        return None
    models = {p.parent.name for p in MODEL_REPOSITORY.glob("*/config.pbtxt")}
    return models or None


# ---------------------------------------------------------------- 4. docker


def check_dockerfiles(report: Report, k8s_triton_tag: str | None) -> None:
    hadolint = venv_bin("hadolint")
    if not hadolint:
        report.error("docker", "hadolint is not installed (pip install -r deploy/requirements-check.txt)")
    else:
        version = run([hadolint, "--version"]).stdout.strip()
        report.facts["hadolint"] = version
        log(f"docker: {version}")
        proc = run([hadolint, "--no-color", "--config", str(HADOLINT_CONFIG), *map(str, DOCKERFILES)])
        if proc.returncode != 0:
            for line in (proc.stdout + proc.stderr).strip().splitlines():
                report.error("docker", f"hadolint: {line}")
        else:
            log(f"  hadolint: {len(DOCKERFILES)} Dockerfiles clean")
    for path in DOCKERFILES:
        text = re.sub(r"\\\n", " ", path.read_text())
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        froms = [ln.split()[1] for ln in lines if ln.upper().startswith("FROM ")]
        users = [ln.split()[1] for ln in lines if ln.upper().startswith("USER ")]
        for image in froms:
            tag = image.rsplit("/", 1)[-1].partition(":")[2]
            if not re.search(r"\d", tag) or "latest" in tag:
                report.error("docker", f"{path.name}: FROM {image} is not pinned to a version tag")
        if not users or users[-1].split(":")[0] in ("root", "0"):
            report.error("docker", f"{path.name}: the final stage must switch to a non-root USER")
        if path.name == "gateway.Dockerfile":
            if not re.match(r"python:3\.11\.\d+-slim", froms[-1]):
                report.error("docker", f"gateway: final base {froms[-1]} is not a pinned python:3.11.x-slim")
            installs = " ".join(ln for ln in lines if "pip install" in ln)
            if "[export" in installs or "torch" in installs.replace("find_spec('torch')", ""):
                report.error("docker", "gateway: installs torch or the export extra")
        if path.name == "triton.Dockerfile":
            if not froms[0].startswith("nvcr.io/nvidia/tritonserver:"):
                report.error("docker", f"triton: FROM {froms[0]} is not NGC tritonserver")
            elif k8s_triton_tag and not froms[0].endswith(":" + k8s_triton_tag):
                report.error("docker", f"triton: FROM {froms[0]} differs from the k8s tag {k8s_triton_tag}")
            if not any(ln.upper().startswith("COPY") and "MODEL_REPOSITORY" in ln for ln in lines):
                report.error("docker", "triton: does not COPY the model repository")
        if path.name == "export-tensorrt.Dockerfile" and k8s_triton_tag and not froms[0].endswith(":" + k8s_triton_tag):
            # A plan loads only under the TensorRT release that built it: same NGC release as Triton.
            report.error("docker", f"export-tensorrt: FROM {froms[0]} is not the NGC release of the deployed "
                                   f"tritonserver ({k8s_triton_tag})")


# ---------------------------------------------------------------- 5. rules


def promtool() -> str:
    path = shutil.which("promtool")
    if not path:
        raise CheckFailed("promtool not found (Debian package prometheus; deploy/check.sh installs it)")
    return path


def outcome(report: Report, step: str, proc: subprocess.CompletedProcess[str], msg: str) -> None:
    if proc.returncode:
        report.error(step, msg)
    else:
        log(f"  {msg}")


def check_rules(report: Report, tmp: Path) -> dict[str, Any]:
    tool = promtool()
    version = run([tool, "--version"]).stdout.splitlines()[0]
    report.facts["promtool"] = version
    log(f"rules: {version}")
    proc = run([tool, "check", "rules", *map(str, RULE_FILES)])
    outcome(report, "rules", proc, "check rules: " + " ".join((proc.stdout + proc.stderr).split()))

    # Debian's promtool is built without Kubernetes service discovery, so `check config` would reject
    # kubernetes_sd_configs. Check everything else (relabelling, rule files) with static targets.
    cfg = yaml.safe_load((PROM / "prometheus.yml").read_text())
    for job in cfg["scrape_configs"]:
        if job.pop("kubernetes_sd_configs", None) is not None:
            job["static_configs"] = [{"targets": ["127.0.0.1:9"]}]
    cfg["rule_files"] = [str(PROM / r) for r in cfg.get("rule_files", [])]
    (tmp / "prometheus.yml").write_text(yaml.safe_dump(cfg))
    proc = run([tool, "check", "config", str(tmp / "prometheus.yml")])
    outcome(report, "rules", proc, "check config (kubernetes_sd_configs -> static_configs): "
            + " ".join((proc.stdout + proc.stderr).split()))

    proc = run([tool, "test", "rules", *map(str, RULE_TESTS)], cwd=PROM / "tests")
    out = (proc.stdout + proc.stderr).strip()
    if proc.returncode:
        report.error("rules", "test rules:\n" + out)
    else:
        log(f"  test rules: {len(RULE_TESTS)} files SUCCESS")
    report.facts["promtool_test_rules"] = {"files": [p.name for p in RULE_TESTS], "rc": proc.returncode,
                                           "output": out.splitlines()[-12:]}

    generated = operator_rules_render()
    if (OPERATOR / "prometheusrules.yaml").read_text() != generated:
        report.error("rules", "deploy/observability/operator/prometheusrules.yaml is stale: run "
                              "python deploy/observability/operator/generate.py")
    else:
        log("  operator/prometheusrules.yaml: generated from the rule files, up to date")

    # Every alert has a test where it fires and one where it does not.
    alerts = [r["alert"] for f in RULE_FILES for g in yaml.safe_load(f.read_text())["groups"]
              for r in g["rules"] if "alert" in r]
    fires: Counter[str] = Counter()
    quiet: Counter[str] = Counter()
    for f in RULE_TESTS:
        for test in yaml.safe_load(f.read_text())["tests"]:
            for a in test.get("alert_rule_test", []):
                (fires if a.get("exp_alerts") else quiet)[a["alertname"]] += 1
    for a in alerts:
        if not fires[a] or not quiet[a]:
            report.error("rules", f"alert {a}: tests where it fires: {fires[a]}, where it does not: {quiet[a]}")
    unknown = (set(fires) | set(quiet)) - set(alerts)
    for a in sorted(unknown):
        report.error("rules", f"tests name alert {a}, which no rule defines")
    coverage = {a: {"fires": fires[a], "quiet": quiet[a]} for a in alerts}
    report.facts["alerts"] = coverage
    log(f"  {len(alerts)} alerts, each tested firing and quiet: "
        f"{all(v['fires'] and v['quiet'] for v in coverage.values())}")
    return coverage


def operator_rules_render() -> str:
    """What deploy/observability/operator/generate.py writes (loaded by path: deploy/ is no package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("operator_generate", OPERATOR / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.render())


# ---------------------------------------------------------------- 6. metrics

_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
             "offset", "inf", "nan", "start", "end"}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_LABEL_LIST = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
_IDENT = re.compile(r"(?<![\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()")


def promql_metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (functions, keywords and label names removed)."""
    s = _STRING.sub('""', expr)
    prev = None
    while prev != s:  # label matchers may nest once strings are gone: {a=""}
        prev = s
        s = re.sub(r"\{[^{}]*\}", " ", s)
    s = _LABEL_LIST.sub(" ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    s = re.sub(r"\boffset\s+-?[0-9a-z]+", " ", s)
    s = re.sub(r"@\s*[\w.()]+", " ", s)
    return {m for m in _IDENT.findall(s) if m.lower() not in _KEYWORDS}


def grafana_exprs(path: Path) -> list[str]:
    exprs: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                exprs.append(node["expr"])
            for k, v in node.items():
                if k == "templating":
                    for var in v.get("list", []):
                        q = var.get("query")
                        q = q.get("query") if isinstance(q, dict) else q
                        if var.get("type") == "query" and isinstance(q, str):
                            m = re.match(r"label_values\((.*),\s*\w+\)$", q.strip())
                            exprs.append(m.group(1) if m else q)
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(json.loads(path.read_text()))
    return exprs


def grafana_to_promql(expr: str) -> str:
    for var, value in (("$__rate_interval", "1m"), ("$__interval", "1m"), ("$__range", "1h")):
        expr = expr.replace(var, value)
    return re.sub(r"\$\{?(\w+)\}?", r"\1", expr)


def adapter_exprs() -> tuple[list[str], set[str]]:
    """PromQL of the adapter rules (templates filled in) and the custom metric names they expose."""
    cfg = yaml.safe_load(ADAPTER.read_text())
    exprs, exposed = [], set()
    for rule in cfg.get("rules", []):
        series = rule["seriesQuery"]
        base = next(iter(promql_metric_names(series)), "")
        exprs.append(series)
        q = (rule["metricsQuery"].replace("<<.Series>>", base).replace("<<.LabelMatchers>>", 'namespace="x"')
             .replace("<<.GroupBy>>", "pod"))
        exprs.append(q)
        name = rule.get("name", {})
        exposed.add(re.sub(name.get("matches", "^(.*)$"), name.get("as", r"\1"), base) if name.get("as") else base)
    return exprs, exposed


def family_sample_names(name: str, kind: str) -> set[str]:
    suffixes = {"counter": ["_total", "_created"], "histogram": ["_bucket", "_count", "_sum", "_created"],
                "summary": ["", "_count", "_sum", "_created"], "gaugehistogram": ["_bucket", "_gcount", "_gsum"],
                "info": ["_info"]}.get(kind, [""])
    return {name + s for s in suffixes}


def triton_metric_names(listing: Path = TRITON_METRICS) -> set[str]:
    """Names from deploy/metrics/triton-metrics.txt (or another listing such as kube-state-metrics.txt).
    Triton's counters carry no _total suffix."""
    names = set()
    for line in listing.read_text().splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            names.add(words[0])
    return names


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, timeout: float = 5) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # loopback only
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def scrape_gateway(report: Report, tmp: Path, timeout_s: float = 90) -> dict[str, Any]:
    """Start `tryon serve` on a free loopback port, hit its routes once, and parse GET /metrics."""
    from prometheus_client.parser import text_string_to_metric_families

    tryon = venv_bin("tryon")
    if not tryon:
        raise CheckFailed("the gateway CLI `tryon` is not installed in the venv (pip install -e .)")
    port = free_port()
    logfile = (tmp / "gateway.log").open("w")
    proc = subprocess.Popen([tryon, "serve", "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                            stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise CheckFailed(f"`tryon serve` exited with {proc.returncode}: "
                                  + (tmp / "gateway.log").read_text()[-2000:])
            try:
                if http_get(base + "/healthz", 2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise CheckFailed(f"gateway did not answer /healthz within {timeout_s:.0f} s")
            time.sleep(0.3)
        for path in ("/healthz", "/readyz", "/v1/does-not-exist"):
            http_get(base + path)
        status, text = http_get(base + "/metrics")
        if status != 200:
            raise CheckFailed(f"GET /metrics answered {status}")
    finally:
        _stop(proc, 15)
        logfile.close()
    (tmp / "gateway-metrics.txt").write_text(text)
    families = list(text_string_to_metric_families(text))
    names: set[str] = set()
    buckets: dict[str, set[str]] = {}
    for fam in families:
        names |= family_sample_names(fam.name, fam.type)
        for sample in fam.samples:
            names.add(sample.name)
            if sample.name.endswith("_bucket") and "le" in sample.labels:
                buckets.setdefault(sample.name[: -len("_bucket")], set()).add(sample.labels["le"])
    tryon_families = sorted(f"{f.name} ({f.type})" for f in families
                            if f.name.startswith("tryon_") and not f.name.endswith("_created"))
    log(f"  gateway /metrics on 127.0.0.1:{port}: {len(families)} families, tryon_*: {', '.join(tryon_families)}")
    return {"names": names, "buckets": buckets, "families": tryon_families}


PROBE_MODEL_CONFIG = """name: "probe"
backend: "python"
max_batch_size: 8
input [ { name: "X" data_type: TYPE_FP32 dims: [ 1 ] } ]
output [ { name: "Y" data_type: TYPE_FP32 dims: [ 1 ] } ]
dynamic_batching { max_queue_delay_microseconds: 100 }
instance_group [ { count: 1 kind: KIND_CPU } ]
"""
PROBE_MODEL_PY = """import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        return [pb_utils.InferenceResponse([pb_utils.Tensor("Y", pb_utils.get_input_tensor_by_name(r, "X").as_numpy())])
                for r in requests]
"""


def pytriton_root(explicit: Path | None) -> Path:
    """A folder holding nvidia-pytriton's tritonserver (pytriton/ and nvidia_pytriton.libs/): the one given,
    the venv's site-packages, or .cache/tritonserver, where the project's Triton setup unpacks the pinned wheel
    from PyPI (downloaded here the first time: the live check is never left out)."""
    if explicit:
        return explicit
    import importlib.util

    spec = importlib.util.find_spec("pytriton")
    if spec is not None and spec.origin is not None:
        site = Path(spec.origin).parent.parent
        if (site / "pytriton" / "tritonserver" / "bin" / "tritonserver").exists() \
                and (site / "nvidia_pytriton.libs").is_dir():
            return site
    from fittingroom.common.triton_server import install

    try:
        return install().root
    except Exception as exc:  # no registry, wrong sha256: the check fails with the cause
        raise CheckFailed(f"no tritonserver for the live metrics check: {exc}") from exc


def scrape_triton(report: Report, tmp: Path, root: Path, timeout_s: float = 60) -> set[str]:
    """Run the pip tritonserver (CPU) with a one-line python model and return its metric names."""
    import sysconfig

    from prometheus_client.parser import text_string_to_metric_families

    server = root / "pytriton" / "tritonserver"
    backends = tmp / "triton-backends"
    shutil.copytree(server / "backends", backends, dirs_exist_ok=True)
    shutil.copy2(server / "python_backend_stubs" / f"{sys.version_info.major}.{sys.version_info.minor}"
                 / "triton_python_backend_stub", backends / "python")
    repo = tmp / "triton-repo"
    (repo / "probe" / "1").mkdir(parents=True, exist_ok=True)
    (repo / "probe" / "config.pbtxt").write_text(PROBE_MODEL_CONFIG)
    (repo / "probe" / "1" / "model.py").write_text(PROBE_MODEL_PY)
    http, grpc, metrics = free_port(), free_port(), free_port()
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
               LD_LIBRARY_PATH=os.pathsep.join(filter(None, [
                   str(root / "nvidia_pytriton.libs"), sysconfig.get_config_var("LIBDIR"),
                   os.environ.get("LD_LIBRARY_PATH")])))
    logfile = (tmp / "triton.log").open("w")
    proc = subprocess.Popen(
        [str(server / "bin" / "tritonserver"), f"--model-repository={repo}", "--model-control-mode=explicit",
         "--load-model=probe", f"--backend-directory={backends}", f"--http-port={http}", f"--grpc-port={grpc}",
         f"--metrics-port={metrics}", "--http-address=127.0.0.1", "--grpc-address=127.0.0.1",
         "--metrics-address=127.0.0.1", "--strict-readiness=true"],
        env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise CheckFailed(f"tritonserver exited with {proc.returncode}: "
                                  + (tmp / "triton.log").read_text()[-2000:])
            try:
                if http_get(f"http://127.0.0.1:{http}/v2/health/ready", 2)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise CheckFailed(f"tritonserver not ready within {timeout_s:.0f} s: "
                                  + (tmp / "triton.log").read_text()[-2000:])
            time.sleep(0.3)
        status, text = http_get(f"http://127.0.0.1:{metrics}/metrics")
        if status != 200:
            raise CheckFailed(f"tritonserver GET /metrics answered {status}")
        server_meta = json.loads(http_get(f"http://127.0.0.1:{http}/v2")[1])
    finally:
        _stop(proc, 20)
        logfile.close()
    names = {f.name for f in text_string_to_metric_families(text)} | {
        s.name for f in text_string_to_metric_families(text) for s in f.samples}
    report.facts["tritonserver"] = server_meta.get("version")
    log(f"  tritonserver {server_meta.get('version')} ({root}) /metrics on 127.0.0.1:{metrics}: {len(names)} names")
    return names


def verify_triton_list(report: Report, live: set[str]) -> None:
    """Every non-GPU name in triton-metrics.txt must be exported by the live (CPU) server."""
    listed = triton_metric_names()
    cpu_names = {n for n in listed if not n.startswith(("nv_gpu_", "nv_energy_"))}
    missing = sorted(cpu_names - live)
    for n in missing:
        report.error("metrics", f"{TRITON_METRICS.name} lists {n}, which the running tritonserver does not export")
    if not missing:
        log(f"  {len(cpu_names)} per-model Triton names confirmed live; "
            f"{len(listed - cpu_names)} GPU names from the documentation only (no GPU here)")
    report.facts["triton_live_check"] = {"confirmed": sorted(cpu_names & live),
                                         "gpu_from_docs": sorted(listed - cpu_names)}


def check_metrics(report: Report, tmp: Path, rendered: dict[str, list[dict[str, Any]]],
                  gateway: dict[str, Any] | None) -> None:
    log("metrics: names used vs names exported")
    recorded = {r["record"] for f in RULE_FILES for g in yaml.safe_load(f.read_text())["groups"]
                for r in g["rules"] if "record" in r}
    uses: dict[str, set[str]] = {}

    def use(where: str, expr: str) -> None:
        for n in promql_metric_names(expr):
            uses.setdefault(n, set()).add(where)

    for f in RULE_FILES:
        for g in yaml.safe_load(f.read_text())["groups"]:
            for r in g["rules"]:
                use(f"{f.name}:{r.get('record') or r.get('alert')}", r["expr"])
    a_exprs, a_exposed = adapter_exprs()
    for e in a_exprs:
        use(ADAPTER.name, e)
    dash_exprs = []
    for d in DASHBOARDS:
        for e in grafana_exprs(d):
            dash_exprs.append(grafana_to_promql(e))
            use(d.name, dash_exprs[-1])

    # The dashboard and adapter queries must parse: promtool checks them as recording rules.
    synthetic = {"groups": [{"name": "parse-only", "rules": [
        {"record": f"parse_only:{i}", "expr": e} for i, e in enumerate(a_exprs + dash_exprs)]}]}
    (tmp / "parse-only.rules.yaml").write_text(yaml.safe_dump(synthetic))
    proc = run([promtool(), "check", "rules", str(tmp / "parse-only.rules.yaml")])
    if proc.returncode:
        report.error("metrics", "dashboard/adapter PromQL does not parse: " + (proc.stdout + proc.stderr)[-3000:])
    else:
        log(f"  {len(a_exprs)} adapter and {len(dash_exprs)} dashboard queries parse (promtool)")

    triton = triton_metric_names()
    gw_names: set[str] = gateway["names"] if gateway else set()
    known = recorded | triton | gw_names | PROMETHEUS_SYNTHETIC | triton_metric_names(KSM_METRICS)
    unknown = {n: w for n, w in uses.items() if n not in known}
    for n, where in sorted(unknown.items()):
        if not gateway and n.startswith("tryon_"):
            report.warn("metrics", f"{n} (used in {', '.join(sorted(where))}) not checked: no live gateway scrape")
        else:
            report.error("metrics", f"{n} is used in {', '.join(sorted(where))} but neither the gateway nor "
                                    f"Triton exports it")
    # Names the gateway contract promises (deploy/README.md) must be exported.
    if gateway:
        bucket_les = gateway["buckets"].get(SLO_HISTOGRAM)
        needed = {"2.5", "5.0"}
        if bucket_les is None:
            report.warn("metrics", f"{SLO_HISTOGRAM} had no samples after the probe requests; buckets unchecked")
        elif not needed <= bucket_les:
            report.error("metrics", f"{SLO_HISTOGRAM} lacks the SLO buckets {sorted(needed - bucket_les)}")
        else:
            log(f"  {SLO_HISTOGRAM} has the SLO buckets le=2.5 and le=5.0")
    # HPAs read only metrics the adapter exposes (checked per Deployment in policy); list them here.
    hpa_metrics = {m["pods"]["metric"]["name"] for docs in rendered.values() for d in docs
                   if d["kind"] == "HorizontalPodAutoscaler" for m in d["spec"]["metrics"] if m["type"] == "Pods"}
    for m in sorted(hpa_metrics - a_exposed):
        report.error("metrics", f"HPA metric {m} is not exposed by the adapter rules")
    raw = sorted(n for n in uses if n not in recorded)
    report.facts["metric_names_used"] = {
        "exported_names_referenced": raw, "recording_rules": len(recorded), "adapter_exposes": sorted(a_exposed),
        "hpa_metrics": sorted(hpa_metrics), "unknown": sorted(unknown),
        "gateway_families": gateway["families"] if gateway else None}
    log(f"  {len(raw)} exported metric names referenced, {len(recorded)} recording rules, "
        f"unknown: {sorted(unknown) or 'none'}")


# ---------------------------------------------------------------- main


def triton_tag(rendered: dict[str, list[dict[str, Any]]]) -> str | None:
    for d in rendered.get("prod", []):
        for spec in pod_specs(d):
            for c in spec["containers"]:
                if c["image"].startswith("nvcr.io/nvidia/tritonserver:"):
                    return str(c["image"].split(":", 1)[1])
    return None


def steps(args: argparse.Namespace) -> Iterable[str]:
    return args.only.split(",") if args.only else ["render", "schema", "policy", "docker", "rules", "metrics"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "k8s-check")
    parser.add_argument("--no-gateway", action="store_true",
                        help="do not start the gateway; tryon_* names are then reported, not checked")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--tritonserver-root", type=Path, default=None,
                        help="site-packages dir with nvidia-pytriton's tritonserver (default: the venv's, if any)")
    parser.add_argument("--only", help="comma-separated steps: render,schema,policy,docker,rules,metrics")
    args = parser.parse_args(argv)
    wanted = set(steps(args))
    args.out.mkdir(parents=True, exist_ok=True)
    report = Report()
    report.facts["kubernetes_versions"] = list(K8S_VERSIONS)
    with tempfile.TemporaryDirectory(prefix="k8s-check-") as t:
        tmp = Path(t)
        try:
            rendered = render(report, args.out)
            if "schema" in wanted:
                validate_schemas(report, rendered)
            _, exposed = adapter_exprs()
            if "policy" in wanted:
                log("policy: security, probes, PDB/HPA, network policies, models")
                repo = model_repository_models()
                for name, docs in rendered.items():
                    before = len(report.errors)
                    check_policy(report, name, docs, exposed, repo)
                    log(f"  {name}: {'ok' if len(report.errors) == before else 'FAILED'}")
            if "docker" in wanted:
                check_dockerfiles(report, triton_tag(rendered))
            if "rules" in wanted:
                check_rules(report, tmp)
            if "metrics" in wanted:
                gateway = None
                if args.no_gateway:
                    report.warn("metrics", "--no-gateway: tryon_* names not checked against a live /metrics")
                else:
                    gateway = scrape_gateway(report, args.out)
                verify_triton_list(report, scrape_triton(report, tmp, pytriton_root(args.tritonserver_root)))
                check_metrics(report, tmp, rendered, gateway)
        except CheckFailed as e:
            report.error("check", str(e))
    failed = bool(report.errors or (args.strict and report.warnings))
    summary = {"ok": not failed, "errors": report.errors, "warnings": report.warnings, **report.facts}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2, default=sorted) + "\n")
    shown = args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out
    log(f"\nk8s-check: {'FAILED' if failed else 'OK'}: {len(report.errors)} errors, {len(report.warnings)} "
        f"warnings (summary in {shown}/summary.json)")
    for line in report.errors:
        log(f"  error: {line}")
    for line in report.warnings:
        log(f"  warning: {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
