"""The inference interface over Triton's gRPC API (`tritonclient.grpc.aio`).

One gRPC channel per target, opened on first use in the running event loop and reused by every call;
each call carries its own deadline. A target names one Triton or a group of replicas (`dns:///name:port`
resolving to every pod of a headless Service, or `ipv4:a:port,b:port`): the channel balances calls over
all of them (round_robin) and retries a call that found a replica unavailable on the next one. Model
control (load, unload, versions) goes to each replica on its own channel (`replicas`).

Triton's status codes become the project's errors, with the same meaning as in the embedded backend:

| Triton answer                                   | error              | HTTP |
|-------------------------------------------------|--------------------|------|
| NOT_FOUND "... is not found" (model or version) | ModelNotFound      | 404  |
| NOT_FOUND "... has no available versions"       | ModelNotFound      | 404  |
| "... is not at ready state" (loading)           | ModelNotReady      | 503  |
| INVALID_ARGUMENT (name, dtype, shape, batch)    | InvalidInput       | 422  |
| UNAVAILABLE "Exceeds maximum queue size"        | Overloaded         | 429  |
| RESOURCE_EXHAUSTED                              | Overloaded         | 429  |
| DEADLINE_EXCEEDED                               | DeadlineExceeded   | 504  |
| UNAVAILABLE (connection refused, server down)   | BackendUnavailable | 503  |
| anything else (INTERNAL: the model failed)      | BackendUnavailable | 503  |

Models can live on different Triton deployments: `model_urls` maps a model to the target serving it (the
gateway derives it per stage); every other model goes to the default target.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import Mapping

import numpy as np
import tritonclient.grpc.aio as grpcclient
from google.protobuf import json_format, text_format
from tritonclient.grpc import MAX_GRPC_MESSAGE_SIZE, InferInput, KeepAliveOptions
from tritonclient.grpc import model_config_pb2 as mc
from tritonclient.utils import InferenceServerException, np_to_triton_dtype

from fittingroom.common.errors import (
    BackendUnavailable,
    DeadlineExceeded,
    InvalidInput,
    ModelNotFound,
    ModelNotReady,
    Overloaded,
    TryOnError,
)
from fittingroom.common.inference import ModelMetadata, Tensors
from fittingroom.common.repository import parse_config

log = logging.getLogger(__name__)

# How every call is spread over the replicas behind one target, in gRPC's own service config:
# - round_robin: one subchannel per resolved address, calls rotated over the ready ones. gRPC's default
#   (pick_first) keeps one connection per channel, so every gateway would pin itself to one Triton pod.
# - retryPolicy: a call that ends UNAVAILABLE (a replica restarting, a connection reset, Triton's full
#   queue) is sent once more, and round_robin sends it to the next replica. Only UNAVAILABLE, and only for
#   calls that change nothing: an inference is a pure function of its inputs, and nothing ran to
#   completion. Loading and unloading are not retried: they go to one replica at a time anyway.
# - retryThrottling: a budget of 20 tokens, -1 per failed call, +0.5 per success, retries only above 10: a
#   group down as a whole gets no retry storm (the per-stage breakers then fail fast), while one replica
#   dying takes down fewer calls than that (those it had in flight) and all of them are retried.
SERVICE_CONFIG = {
    "loadBalancingConfig": [{"round_robin": {}}],
    "methodConfig": [{
        "name": [{"service": "inference.GRPCInferenceService", "method": method} for method in (
            "ModelInfer", "ModelMetadata", "ModelConfig", "ModelReady", "ServerReady", "ServerLive",
            "RepositoryIndex", "ModelStatistics")],
        "retryPolicy": {"maxAttempts": 2, "initialBackoff": "0.05s", "maxBackoff": "0.5s",
                        "backoffMultiplier": 2, "retryableStatusCodes": ["UNAVAILABLE"]},
    }],
    "retryThrottling": {"maxTokens": 20, "tokenRatio": 0.5},
}

# tritonclient's own channel options (message size, keepalive), plus:
# - a short reconnect backoff: gRPC's default grows to 120 s while a server is down, so a restarted Triton
#   went unused for up to two minutes (measured here: 6.4 s after a 10 s outage); capped at 1 s, the gateway
#   is back within a second of Triton;
# - DNS re-resolution at most every 5 s (gRPC re-resolves when a subchannel fails, not on a timer), so a
#   headless Service's new pod addresses are picked up once a connection drops; the Triton side closes
#   connections by age (deploy/) to make that happen for scale-ups as well.
CHANNEL_ARGS: list[tuple[str, int | str]] = [
    ("grpc.max_send_message_length", MAX_GRPC_MESSAGE_SIZE),
    ("grpc.max_receive_message_length", MAX_GRPC_MESSAGE_SIZE),
    ("grpc.keepalive_time_ms", KeepAliveOptions().keepalive_time_ms),
    ("grpc.keepalive_timeout_ms", KeepAliveOptions().keepalive_timeout_ms),
    ("grpc.keepalive_permit_without_calls", KeepAliveOptions().keepalive_permit_without_calls),
    ("grpc.http2.max_pings_without_data", KeepAliveOptions().http2_max_pings_without_data),
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.min_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 1000),
    ("grpc.dns_min_time_between_resolutions_ms", 5000),
    ("grpc.enable_retries", 1),
    # gRPC keeps a sent request for a retry only up to this size (default 256 KiB) and commits larger calls,
    # which are then never retried: a 320x320 image tensor is 1.2 MB. Measured here: with the default, a
    # replica killed under load failed 5 of 87 try-ons with UNAVAILABLE; the buffer is held only in flight.
    ("grpc.per_rpc_retry_buffer_size", 64 * 1024 * 1024),
    ("grpc.service_config", json.dumps(SERVICE_CONFIG)),
]


def replica_addresses(target: str) -> list[str]:
    """Every replica (`host:port`) behind a gRPC target, resolved now, as the channel resolves it.

    `ipv4:10.0.0.1:8001,10.0.0.2:8001` (or `ipv6:`) lists them; `dns:///name:8001` and a plain
    `name:8001` resolve all the name's addresses (a headless Service answers with every ready pod).
    """
    scheme, _, rest = target.partition(":")
    if scheme in ("ipv4", "ipv6"):
        return [address for address in rest.split(",") if address]
    name = target.removeprefix("dns:").lstrip("/").split("/")[-1]  # dns://[server]/name:port
    host, _, port = name.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"gRPC target {target!r} has no host:port")
    host = host.strip("[]")
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BackendUnavailable(f"cannot resolve the Triton replicas of {target!r}: {exc}") from exc
    found = {str(info[4][0]) for info in infos}
    # `localhost` answers ::1 too, where a server bound to 127.0.0.1 does not listen: IPv4 when there is any.
    addresses = sorted({a for a in found if ":" not in a} or found)
    return [f"[{a}]:{port}" if ":" in a else f"{a}:{port}" for a in addresses]


def map_error(exc: InferenceServerException, what: str) -> TryOnError:
    """The project error for a Triton/gRPC failure of `what` (e.g. "model 'u2netp'")."""
    status = (exc.status() or "").removeprefix("StatusCode.")
    message = exc.message() or str(exc)
    text = f"{what}: {message}"
    if "not at ready state" in message:
        return ModelNotReady(text)
    if status == "NOT_FOUND":
        # An unloaded model: Triton calls it unknown, and retrying will not help until someone loads it.
        if "no available versions" in message:
            text += " (no version is loaded: it was unloaded or failed to load)"
        return ModelNotFound(text)
    if status == "INVALID_ARGUMENT":
        return InvalidInput(text)
    if status == "RESOURCE_EXHAUSTED" or "maximum queue size" in message:
        return Overloaded(text)
    if status == "DEADLINE_EXCEEDED":
        return DeadlineExceeded(text)
    return BackendUnavailable(f"{what}: Triton answered {status or 'an error'}: {message}")


class TritonClient:
    """`InferenceClient` and `ModelControl` for one Triton server (or one per stage).

    `control_timeout_s` bounds readiness and metadata calls, `load_timeout_s` load/unload; an
    inference waits as long as its own `timeout_s` (no deadline when None, as in the embedded backend).
    """

    def __init__(self, url: str = "127.0.0.1:8001", *, model_urls: Mapping[str, str] | None = None,
                 control_timeout_s: float = 10.0, load_timeout_s: float = 300.0) -> None:
        self.url = url
        self.routes = dict(model_urls or {})
        self.control_timeout_s = control_timeout_s
        self.load_timeout_s = load_timeout_s
        self._clients: dict[str, grpcclient.InferenceServerClient] = {}
        self._replicas: dict[str, TritonClient] = {}

    def _client(self, model: str) -> grpcclient.InferenceServerClient:
        return self._connect(self.routes.get(model, self.url))

    def _connect(self, url: str) -> grpcclient.InferenceServerClient:
        # Created lazily: a grpc.aio channel belongs to the event loop it was created in.
        client = self._clients.get(url)
        if client is None:
            client = self._clients[url] = grpcclient.InferenceServerClient(url, channel_args=CHANNEL_ARGS)
        return client

    def _where(self, model: str, version: int | None = None) -> str:
        name = f"model '{model}'" if version is None else f"version {version} of model '{model}'"
        return f"{name} on Triton at {self.routes.get(model, self.url)}"

    # -- inference ----------------------------------------------------------------------------

    async def infer(self, model: str, inputs: Tensors, version: int | None = None,
                    *, timeout_s: float | None = None) -> Tensors:
        request = []
        for name, array in inputs.items():
            wire = np_to_triton_dtype(array.dtype)
            if wire is None:
                raise InvalidInput(f"input '{name}' of model '{model}' has unsupported dtype {array.dtype}")
            request.append(InferInput(name, list(array.shape), wire).set_data_from_numpy(array))
        try:
            result = await self._client(model).infer(model, request, model_version=_version(version),
                                                     client_timeout=timeout_s)
        except InferenceServerException as exc:
            raise map_error(exc, self._where(model, version)) from exc
        # as_numpy views the response buffer read-only; callers get writable arrays, as from ORT.
        return {out.name: np.array(result.as_numpy(out.name)) for out in result.get_response().outputs}

    async def is_server_ready(self) -> bool:
        """False (not an error) when a server cannot be reached: this is what a readiness probe asks."""
        try:
            answers = await asyncio.gather(*(
                self._connect(url).is_server_ready(client_timeout=self.control_timeout_s)
                for url in {self.url, *self.routes.values()}))
        except InferenceServerException as exc:
            log.warning("Triton not ready: %s", exc.message())
            return False
        return all(answers)

    async def is_model_ready(self, model: str, version: int | None = None) -> bool:
        try:
            return bool(await self._client(model).is_model_ready(
                model, _version(version), client_timeout=self.control_timeout_s))
        except InferenceServerException as exc:
            log.warning("%s: readiness unknown: %s", self._where(model, version), exc.message())
            return False

    async def model_metadata(self, model: str, version: int | None = None) -> ModelMetadata:
        client = self._client(model)
        try:
            metadata, config = await asyncio.gather(
                client.get_model_metadata(model, _version(version), client_timeout=self.control_timeout_s),
                client.get_model_config(model, _version(version), client_timeout=self.control_timeout_s))
        except InferenceServerException as exc:
            raise map_error(exc, self._where(model, version)) from exc
        parsed = parse_config(text_format.MessageToString(config.config))
        return ModelMetadata(
            name=model, versions=tuple(sorted((int(v) for v in metadata.versions), reverse=True)),
            platform=metadata.platform, inputs=parsed.inputs, outputs=parsed.outputs,
            max_batch_size=parsed.max_batch_size, parameters=dict(parsed.parameters),
        )

    async def close(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        replicas, self._replicas = list(self._replicas.values()), {}
        await asyncio.gather(*(c.close() for c in clients), *(r.close() for r in replicas))

    async def replicas(self, model: str) -> dict[str, TritonClient]:
        """A client of each replica serving `model`, by address, resolved now (a scaled group changes)."""
        target = self.routes.get(model, self.url)
        addresses = await asyncio.to_thread(replica_addresses, target)
        if addresses == [target]:
            return {target: self}
        found = {}
        for address in addresses:
            if address not in self._replicas:
                self._replicas[address] = TritonClient(address, control_timeout_s=self.control_timeout_s,
                                                       load_timeout_s=self.load_timeout_s)
            found[address] = self._replicas[address]
        return found

    # -- model control ------------------------------------------------------------------------

    async def load_model(self, model: str, versions: list[int] | None = None) -> None:
        """Load `model`; with `versions`, serve exactly those versions (a `specific` version policy).

        Versions are chosen by loading with a config override: the server's current config of the
        model with only its version_policy replaced. Triton keeps an override for later plain loads
        until the model is unloaded, so `load_model(model)` after `load_model(model, [2])` still serves
        only version 2; unload first to return to the repository's config.pbtxt.
        """
        client = self._client(model)
        try:
            if versions is None:
                await client.load_model(model, client_timeout=self.load_timeout_s)
                return
            config = await self._config_for_override(model)
            config.version_policy.Clear()
            config.version_policy.specific.versions.extend(versions)
            await client.load_model(model, config=json_format.MessageToJson(config),
                                    client_timeout=self.load_timeout_s)
        except InferenceServerException as exc:
            if "at least one version must be available" in (exc.message() or ""):
                raise ModelNotFound(f"{self._where(model)}: none of versions {versions} is in its "
                                    "repository") from exc
            raise map_error(exc, self._where(model)) from exc
        missing = sorted(set(versions) - set(await self.loaded_versions(model)))
        if missing:
            raise ModelNotFound(f"{self._where(model)}: version(s) {missing} are not in its repository; "
                                f"it now serves {await self.loaded_versions(model)}")

    async def _config_for_override(self, model: str) -> mc.ModelConfig:
        """The server's config of `model`, loading the model first if needed (no other way to read it)."""
        client = self._client(model)
        await self._require_known(model)
        if not await self.loaded_versions(model):
            await client.load_model(model, client_timeout=self.load_timeout_s)
        response = await client.get_model_config(model, client_timeout=self.control_timeout_s)
        config: mc.ModelConfig = response.config
        return config

    async def _require_known(self, model: str) -> None:
        if not await self._states(model):
            raise ModelNotFound(f"{self._where(model)}: not in the server's model repository")

    async def unload_model(self, model: str) -> None:
        """Unload every version and wait until Triton has finished (it answers before the unload is done)."""
        client = self._client(model)
        try:
            await self._require_known(model)
            await client.unload_model(model, client_timeout=self.load_timeout_s)
            deadline = time.monotonic() + self.load_timeout_s
            while await self._states(model) & {"READY", "UNLOADING"}:
                if time.monotonic() > deadline:
                    raise BackendUnavailable(f"{self._where(model)}: still unloading after "
                                             f"{self.load_timeout_s:.0f}s")
                await asyncio.sleep(0.05)
        except InferenceServerException as exc:
            raise map_error(exc, self._where(model)) from exc

    async def _states(self, model: str) -> set[str]:
        index = await self._client(model).get_model_repository_index(client_timeout=self.control_timeout_s)
        return {entry.state for entry in index.models if entry.name == model}

    async def loaded_versions(self, model: str) -> list[int]:
        """Versions of `model` that are READY, from the repository index."""
        try:
            index = await self._client(model).get_model_repository_index(
                client_timeout=self.control_timeout_s)
        except InferenceServerException as exc:
            raise map_error(exc, self._where(model)) from exc
        return sorted(int(e.version) for e in index.models
                      if e.name == model and e.state == "READY" and e.version)

    async def statistics(self, model: str) -> dict[str, object]:
        """Triton's per-version inference statistics (request, execution and batch counts), as JSON."""
        try:
            stats = await self._client(model).get_inference_statistics(
                model, as_json=True, client_timeout=self.control_timeout_s)
        except InferenceServerException as exc:
            raise map_error(exc, self._where(model)) from exc
        return dict(stats)


def _version(version: int | None) -> str:
    return "" if version is None else str(version)
