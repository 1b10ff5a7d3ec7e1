"""Try-on end to end: per-stage p50/p95 of both modes at 512 and 1024 px, and the gateway's own overhead.

Design mode runs the sample person, content and artwork; garment mode runs the synthetic catalog T-shirt with
its mask and landmarks computed once beforehand, as registration stores them (the catalog path a shop uses).
The person photo is the 512 px sample, resized to the measured side. Stage times overlap where the pipeline
runs stages concurrently (person mask ∥ style vector, pose ∥ stylize, ...), so they add up to more than the
wall time; `total` is the wall time of the whole call.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.common import Spread, percentile
from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import decode_image, encode_image
from fittingroom.common.images import resize
from fittingroom.common.inference import InferenceClient
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.sample_garment import sample_garment
from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT, SAMPLE_PERSON
from fittingroom.gateway.settings import Settings
from fittingroom.segment.client import SalientMask
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.product import product_mask
from fittingroom.tryon.classical import ClassicalGarmentPipeline
from fittingroom.tryon.design import DesignPipeline
from fittingroom.tryon.networks import DAFlowPipeline, VitonHDPipeline
from fittingroom.tryon.requests import DesignRequest, GarmentRequest
from fittingroom.tryon.result import TryOnResult

log = logging.getLogger(__name__)
SIDES = (512, 1024)


def _image(path: Path) -> np.ndarray:
    return decode_image(path.read_bytes(), field=path.name, max_pixels=10**8)


def person_at(side: int) -> np.ndarray:
    person = _image(SAMPLE_PERSON)
    h, w = person.shape[:2]
    scale = side / max(h, w)
    return resize(person, round(w * scale), round(h * scale))


def design_request(side: int) -> DesignRequest:
    return DesignRequest(person=person_at(side), content=_image(SAMPLE_CONTENT), artwork=_image(SAMPLE_ARTWORK))


async def garment_request(client: InferenceClient, side: int) -> GarmentRequest:
    """The catalog request: the garment's mask and landmarks computed once, as registration does."""
    product = sample_garment(Category.UPPER)
    salient = await SalientMask(client).mask(product)
    silhouette = await asyncio.to_thread(product_mask, product, salient)
    marks = await asyncio.to_thread(garment_landmarks, silhouette, Category.UPPER.value)
    return GarmentRequest(person=person_at(side), garment=product, category=Category.UPPER,
                          product_mask=silhouette, landmarks=marks)


def stage_summary(runs: list[tuple[float, TryOnResult]]) -> dict[str, Any]:
    """p50/p95 (and min/max) of the wall time and of every stage over the runs, in ms."""
    def summary(values: list[float]) -> dict[str, float]:
        spread = Spread.of(values)
        return {"p50": percentile(values, 50), "p95": percentile(values, 95), "min": spread.min, "max": spread.max,
                "n": len(values)}

    stages = list(runs[0][1].timings_ms)
    return {"total": summary([seconds * 1000 for seconds, _ in runs]),
            "stages": {s: summary([r.timings_ms[s] for _, r in runs]) for s in stages}}


async def _interleaved_runs(pipelines: dict[str, Any], request: Any, repeats: int,
                            ) -> dict[str, list[tuple[float, TryOnResult]]]:
    """The same request through each pipeline in turn, run after run, so that drifting load hits all alike."""
    for pipeline in pipelines.values():
        await pipeline(request)  # warm-up
    runs: dict[str, list[tuple[float, TryOnResult]]] = {name: [] for name in pipelines}
    for _ in range(repeats):
        for name, pipeline in pipelines.items():
            start = time.perf_counter()
            result = await pipeline(request)
            runs[name].append((time.perf_counter() - start, result))
    return runs


async def end_to_end(repository: Path, repeats: dict[int, int], threads: int = 0,
                     network_repeats: int = 3) -> dict[str, Any]:
    """Both modes at every side in SIDES, on the embedded backend with the gateway's default threads.

    One experiment rides along, interleaved run by run with the design mode at 512 px: the same with one ORT
    thread per session. The pipeline runs two models at once (person mask ∥ style vector, pose ∥ stylize), and
    with one thread per core each, two sessions ask for twice the cores there are.

    The try-on networks (VITON-HD, DAFlow) run the same catalog request at 512 px, `network_repeats` times:
    seconds per call on these cores, whatever their weights (placeholders cost what the official ones do).
    """
    out: dict[str, Any] = {"backend": "embedded", "ort_threads": threads, "modes": {}, "experiments": {},
                           "networks": {}}
    client = EmbeddedClient(repository, intra_op_threads=threads)
    single = EmbeddedClient(repository, intra_op_threads=1)
    router = TrafficRouter(client)
    try:
        for mode in ("design", "garment"):
            for side in SIDES:
                log.info("%s mode at %d px: %d runs", mode, side, repeats[side])
                if mode == "garment":
                    request = await garment_request(client, side)
                    classical = ClassicalGarmentPipeline(client, router)
                    runs = await _interleaved_runs({"default": classical}, request, repeats[side])
                elif side == 512:
                    pair = {"default": DesignPipeline(client, router),
                            "single": DesignPipeline(single, TrafficRouter(single))}
                    runs = await _interleaved_runs(pair, design_request(side), repeats[side])
                    out["experiments"]["design-512-ort-threads-1"] = stage_summary(runs["single"])
                else:
                    runs = await _interleaved_runs({"default": DesignPipeline(client, router)}, design_request(side),
                                                   repeats[side])
                out["modes"][f"{mode}-{side}"] = stage_summary(runs["default"])
        request = await garment_request(client, 512)
        for name, network in (("neural", VitonHDPipeline), ("daflow", DAFlowPipeline)):
            log.info("%s path at 512 px: %d runs", name, network_repeats)
            runs = await _interleaved_runs({"default": network(client, router)}, request, network_repeats)
            out["networks"][f"{name}-512"] = stage_summary(runs["default"])
    finally:
        await client.close()
        await single.close()
    return out


def gateway_files() -> dict[str, tuple[str, bytes, str]]:
    """The multipart uploads of a design try-on: the sample person, content and artwork."""
    return {name: (path.name, path.read_bytes(), "image/png")
            for name, path in (("person", SAMPLE_PERSON), ("content", SAMPLE_CONTENT), ("style", SAMPLE_ARTWORK))}


def gateway_overhead(repository: Path, repeats: int, threads: int = 0) -> dict[str, Any]:
    """Design try-on at 512 px: the pipeline called directly vs `POST /v1/tryon/design` on loopback.

    Both share one EmbeddedClient (same warm sessions) and alternate call by call; the overhead is taken
    per pair (HTTP minus direct), so load that drifts during the run cancels out. The HTTP side includes
    what the gateway adds: multipart parsing, decoding three uploads, admission, encoding the answer. The
    answer is asked for as PNG (the API's default) and as JPEG, to show what the encoding costs.
    """
    from tests.helpers import live_gateway  # the project's one gateway-in-a-thread (uvicorn on loopback)

    client = EmbeddedClient(repository, intra_op_threads=threads)
    pipeline = DesignPipeline(client, TrafficRouter(client))
    files = gateway_files()
    request = DesignRequest(person=_image(SAMPLE_PERSON), content=_image(SAMPLE_CONTENT),
                            artwork=_image(SAMPLE_ARTWORK))
    samples: dict[str, list[float]] = {"direct": [], "png": [], "jpeg": []}
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(model_repository=repository, ort_threads=threads, database_url=f"sqlite:///{tmp}/db",
                            blob_dir=Path(tmp) / "blobs")
        with live_gateway(settings, client) as url, httpx.Client(base_url=url, timeout=120) as http:
            loop = asyncio.new_event_loop()
            try:
                for i in range(repeats + 1):  # the first round warms every path up and is dropped
                    start = time.perf_counter()
                    loop.run_until_complete(pipeline(request))
                    timings = {"direct": time.perf_counter() - start}
                    for fmt in ("png", "jpeg"):
                        start = time.perf_counter()
                        http.post("/v1/tryon/design", files=files, data={"format": fmt}).raise_for_status()
                        timings[fmt] = time.perf_counter() - start
                    if i:
                        for name, seconds in timings.items():
                            samples[name].append(seconds * 1000)
            finally:
                loop.close()
    direct = samples["direct"]
    result: dict[str, Any] = {
        "what": "design try-on, 512x512 sample person, embedded backend, sequential calls",
        "direct_ms": Spread.of(direct).as_dict(),
        "answer_encode_ms": {fmt: _encode_ms(fmt) for fmt in ("png", "jpeg")},
    }
    for fmt in ("png", "jpeg"):
        http_ms = samples[fmt]
        p50_direct, p50_http = percentile(direct, 50), percentile(http_ms, 50)
        shares = [100 * (h - d) / h for d, h in zip(direct, http_ms, strict=True)]
        result[fmt] = {"http_ms": Spread.of(http_ms).as_dict(), "overhead_ms_p50": p50_http - p50_direct,
                       "overhead_percent_of_p50": 100 * (p50_http - p50_direct) / p50_http,
                       "overhead_percent_per_pair": Spread.of(shares).as_dict()}
    return result


def _encode_ms(fmt: str) -> float:
    """What one of the gateway's own steps costs: encoding a 512 px result (median of 5)."""
    image = person_at(512)
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        encode_image(image, fmt)
        samples.append((time.perf_counter() - start) * 1000)
    return percentile(samples, 50)

