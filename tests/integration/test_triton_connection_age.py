"""Triton closes gRPC connections at `--grpc-max-connection-age`, so clients re-resolve and reach new pods.

deploy/k8s gives every Triton group these gRPC flags (template/triton.yaml); a headless Service and the
client's round_robin then spread calls over the pods the HPA adds, but only if old connections end.
This runs the real tritonserver (the pip wheel, 2.51.0, the server release of the deployed image) with
the deployed flags, only the age shortened to be observable, and watches one client channel.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
import yaml
from tritonclient.grpc import service_pb2, service_pb2_grpc

from fittingroom.common.loopback import LOOPBACK, free_port
from fittingroom.common.triton_server import install, server_environment

pytestmark = pytest.mark.integration

TEMPLATE = Path(__file__).resolve().parents[2] / "deploy" / "k8s" / "base" / "triton" / "template" / "triton.yaml"
OBSERVE_S = 4.0


def deployed_grpc_flags() -> dict[str, str]:
    """The gRPC connection flags (--grpc-*, not the port) the deployment passes to tritonserver."""
    deployment = next(d for d in yaml.safe_load_all(TEMPLATE.read_text()) if d["kind"] == "Deployment")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    return dict(a.split("=", 1) for a in args if a.startswith("--grpc-") and not a.startswith("--grpc-port="))


def start_server(tmp: Path, flags: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    server = install()
    (tmp / "models").mkdir(exist_ok=True)
    grpc_port = free_port()
    log = (tmp / f"triton-{grpc_port}.log").open("wb")
    process = subprocess.Popen(
        [str(server.binary), f"--model-repository={tmp / 'models'}", f"--backend-directory={server.backend_directory}",
         "--model-control-mode=explicit", f"--http-address={LOOPBACK}", f"--http-port={free_port()}",
         f"--grpc-address={LOOPBACK}", f"--grpc-port={grpc_port}", "--allow-metrics=false",
         *(f"{k}={v}" for k, v in flags.items())],
        env=server_environment(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    return process, f"{LOOPBACK}:{grpc_port}"


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
        process.wait(20)


def connections_during_calls(url: str, process: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Open one channel, call ServerLive every 100 ms for OBSERVE_S; return (connections made, failed calls)."""
    states: list[grpc.ChannelConnectivity] = []
    channel = grpc.insecure_channel(url)
    channel.subscribe(states.append, try_to_connect=True)
    stub = service_pb2_grpc.GRPCInferenceServiceStub(channel)
    grpc.channel_ready_future(channel).result(timeout=60)
    failed = 0
    deadline = time.monotonic() + OBSERVE_S
    while time.monotonic() < deadline:
        assert process.poll() is None, "tritonserver exited"
        try:
            live = stub.ServerLive(service_pb2.ServerLiveRequest(), timeout=5, wait_for_ready=True)
            failed += not live.live
        except grpc.RpcError:
            failed += 1
        time.sleep(0.1)
    channel.close()
    return states.count(grpc.ChannelConnectivity.READY), failed


def test_deployed_flags_are_accepted_and_old_connections_are_closed(tmp_path: Path,
                                                                    servers: list[subprocess.Popen[bytes]]) -> None:
    flags = deployed_grpc_flags()
    assert {"--grpc-max-connection-age", "--grpc-max-connection-age-grace", "--grpc-keepalive-time"} <= set(flags)
    # Everything as deployed, only the age short enough to see several connections in a few seconds.
    process, url = start_server(tmp_path, flags | {"--grpc-max-connection-age": "1000",
                                                   "--grpc-max-connection-age-grace": "500"})
    servers.append(process)
    connections, failed = connections_during_calls(url, process)
    assert connections >= 3, f"{connections} connection(s) in {OBSERVE_S} s with a 1 s maximum age"
    assert failed == 0  # GOAWAY lets calls in flight finish; the next call goes on a new connection


def test_without_a_maximum_age_one_connection_serves_every_call(tmp_path: Path,
                                                                servers: list[subprocess.Popen[bytes]]) -> None:
    flags = {k: v for k, v in deployed_grpc_flags().items() if not k.startswith("--grpc-max-connection-age")}
    process, url = start_server(tmp_path, flags)
    servers.append(process)
    assert connections_during_calls(url, process) == (1, 0)
