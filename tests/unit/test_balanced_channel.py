"""The Triton channel over several replicas, against real gRPC servers that speak Triton's protocol (fakes that
count calls, on 127.0.0.2 and 127.0.0.3): round_robin spreads calls, and a call that finds one replica
UNAVAILABLE is retried by gRPC itself on the other (the service config in triton_client.py)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import grpc
import numpy as np
import pytest
from tritonclient.grpc import service_pb2, service_pb2_grpc

from fittingroom.common.errors import BackendUnavailable
from fittingroom.common.triton_client import TritonClient, replica_addresses

ADDRESSES = ("127.0.0.2", "127.0.0.3")


class Replica(service_pb2_grpc.GRPCInferenceServiceServicer):
    """Answers ModelInfer with an empty result, or UNAVAILABLE while `down`."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False

    async def ModelInfer(self, request: service_pb2.ModelInferRequest,
                         context: grpc.aio.ServicerContext) -> service_pb2.ModelInferResponse:
        self.calls += 1
        if self.down:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "restarting")
        return service_pb2.ModelInferResponse(model_name=request.model_name)


def _port_free_on_both() -> int:
    while True:
        with socket.socket() as probe:
            probe.bind((ADDRESSES[0], 0))
            port = int(probe.getsockname()[1])
        try:
            with socket.socket() as other:
                other.bind((ADDRESSES[1], port))
        except OSError:
            continue
        return port


@pytest.fixture
async def group() -> AsyncIterator[tuple[list[Replica], str]]:
    port = _port_free_on_both()
    replicas, servers = [], []
    for address in ADDRESSES:
        replica, server = Replica(), grpc.aio.server()
        service_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(replica, server)
        server.add_insecure_port(f"{address}:{port}")
        await server.start()
        replicas.append(replica)
        servers.append(server)
    yield replicas, "ipv4:" + ",".join(f"{a}:{port}" for a in ADDRESSES)
    for server in servers:
        await server.stop(None)


INPUTS = {"x": np.zeros((1, 2), np.float32)}


async def connected(client: TritonClient, replicas: list[Replica]) -> None:
    """Call until every replica has answered: the channel connects to them in the background, and until then
    round_robin has fewer subchannels to rotate over. Counts start from zero after."""
    while not all(r.calls for r in replicas):
        await client.infer("m", INPUTS)
    for replica in replicas:
        replica.calls = 0


async def test_calls_are_spread_over_every_replica(group: tuple[list[Replica], str]) -> None:
    replicas, target = group
    client = TritonClient(target)
    await connected(client, replicas)
    for _ in range(40):
        await client.infer("m", INPUTS)
    await client.close()
    assert [r.calls for r in replicas] == [20, 20]  # round_robin over two ready subchannels


async def test_a_call_that_finds_a_replica_unavailable_is_retried_on_the_other(
        group: tuple[list[Replica], str]) -> None:
    replicas, target = group
    client = TritonClient(target)
    await connected(client, replicas)
    replicas[0].down = True
    for _ in range(10):
        await client.infer("m", INPUTS)  # none fails: each refusal is retried on the healthy replica
    await client.close()
    assert replicas[1].calls == 10 and replicas[0].calls >= 5  # each answered by B; A refused the picks it got


async def test_a_group_down_as_a_whole_fails_with_unavailable(group: tuple[list[Replica], str]) -> None:
    replicas, target = group
    for replica in replicas:
        replica.down = True
    client = TritonClient(target)
    with pytest.raises(BackendUnavailable, match="UNAVAILABLE"):
        await client.infer("m", INPUTS)
    await client.close()
    assert sum(r.calls for r in replicas) == 2  # the call and its one retry, no more


def test_replicas_behind_a_target() -> None:
    assert replica_addresses("ipv4:10.0.0.1:8001,10.0.0.2:8001") == ["10.0.0.1:8001", "10.0.0.2:8001"]
    assert replica_addresses("127.0.0.1:8001") == ["127.0.0.1:8001"]
    assert replica_addresses("dns:///localhost:8001") == ["127.0.0.1:8001"]  # IPv4 when there is any
    with pytest.raises(ValueError, match="no host:port"):
        replica_addresses("dns:///triton")


async def test_each_replica_gets_a_client_of_its_own(group: tuple[list[Replica], str]) -> None:
    _, target = group
    client = TritonClient(target)
    replicas = await client.replicas("m")
    assert sorted(replicas) == sorted(target.removeprefix("ipv4:").split(","))
    for address, replica in replicas.items():
        assert replica.url == address
    single = TritonClient("127.0.0.1:1")
    assert await single.replicas("m") == {"127.0.0.1:1": single}
    await client.close()
