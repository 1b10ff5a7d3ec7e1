"""The embedded ONNX Runtime backend: version policies on disk, load/unload, Triton-like input checks."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import numpy as np
import pytest

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import DeadlineExceeded, InvalidInput, ModelNotFound
from fittingroom.common.repository import VersionPolicy, render_config
from fittingroom.stylize.spec import STYLE_PREDICT


def _repo_with_versions(source: Path, target: Path, versions: list[int], policy: VersionPolicy) -> Path:
    model = target / STYLE_PREDICT.name
    for v in versions:
        (model / str(v)).mkdir(parents=True)
        shutil.copy(source / STYLE_PREDICT.name / "1" / "model.onnx", model / str(v) / "model.onnx")
    (model / "config.pbtxt").write_text(render_config(STYLE_PREDICT, version_policy=policy))
    return target


def _style_batch(n: int = 1) -> dict[str, np.ndarray]:
    return {"style_image": np.random.default_rng(0).random((n, 256, 256, 3), dtype=np.float32)}


async def test_latest_policy_serves_the_highest_version(repository: Path, tmp_path: Path) -> None:
    client = EmbeddedClient(_repo_with_versions(repository, tmp_path, [1, 2, 3], VersionPolicy("latest", 1)))
    meta = await client.model_metadata(STYLE_PREDICT.name)
    assert meta.versions == (3,)
    assert await client.is_model_ready(STYLE_PREDICT.name, 3)
    assert not await client.is_model_ready(STYLE_PREDICT.name, 1)
    with pytest.raises(ModelNotFound, match="version 1"):
        await client.infer(STYLE_PREDICT.name, _style_batch(), version=1)


async def test_specific_policy_and_explicit_load(repository: Path, tmp_path: Path) -> None:
    client = EmbeddedClient(_repo_with_versions(repository, tmp_path, [1, 2], VersionPolicy("specific", specific=(1,))))
    await client.load_model(STYLE_PREDICT.name)
    assert await client.loaded_versions(STYLE_PREDICT.name) == [1]
    out = await client.infer(STYLE_PREDICT.name, _style_batch(2))
    assert out["style_vector"].shape == (2, 1, 1, 100)
    await client.unload_model(STYLE_PREDICT.name)
    assert await client.loaded_versions(STYLE_PREDICT.name) == []


async def test_all_versions_agree_when_weights_are_equal(repository: Path, tmp_path: Path) -> None:
    client = EmbeddedClient(_repo_with_versions(repository, tmp_path, [1, 2], VersionPolicy("all")))
    one, two = await asyncio.gather(client.infer(STYLE_PREDICT.name, _style_batch(), version=1),
                                    client.infer(STYLE_PREDICT.name, _style_batch(), version=2))
    np.testing.assert_array_equal(one["style_vector"], two["style_vector"])


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"style_image": np.zeros((1, 256, 256, 3), np.float64)}, "must be FP32"),
        ({"style_image": np.zeros((1, 128, 256, 3), np.float32)}, "must have shape"),
        ({"style_image": np.zeros((9, 256, 256, 3), np.float32)}, r"\[1..8\]"),
        ({"style_image": np.zeros((256, 256, 3), np.float32)}, "must have shape"),
        ({"image": np.zeros((1, 256, 256, 3), np.float32)}, "no input named"),
        ({}, "needs input"),
    ],
)
async def test_bad_inputs_are_rejected_before_running(embedded: EmbeddedClient, inputs: dict[str, np.ndarray],
                                                       message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        await embedded.infer(STYLE_PREDICT.name, inputs)


async def test_unknown_model(embedded: EmbeddedClient) -> None:
    with pytest.raises(ModelNotFound):
        await embedded.infer("no_such_model", {})
    assert not await embedded.is_model_ready("no_such_model")


async def test_deadline_is_enforced(embedded: EmbeddedClient) -> None:
    await embedded.infer(STYLE_PREDICT.name, _style_batch())  # load first: the deadline covers inference
    with pytest.raises(DeadlineExceeded):
        await embedded.infer(STYLE_PREDICT.name, _style_batch(8), timeout_s=1e-6)


async def test_concurrent_calls_share_one_session(embedded: EmbeddedClient) -> None:
    results = await asyncio.gather(*(embedded.infer(STYLE_PREDICT.name, _style_batch()) for _ in range(4)))
    assert all(np.array_equal(r["style_vector"], results[0]["style_vector"]) for r in results)
    assert await embedded.loaded_versions(STYLE_PREDICT.name) == [1]


async def test_a_version_exported_later_takes_no_traffic_until_loaded(repository: Path, tmp_path: Path) -> None:
    repo = _repo_with_versions(repository, tmp_path, [1], VersionPolicy("latest", 1))
    client = EmbeddedClient(repo)
    assert (await client.model_metadata(STYLE_PREDICT.name)).versions == (1,)
    _repo_with_versions(repository, tmp_path / "v2", [2], VersionPolicy("latest", 1))
    (repo / STYLE_PREDICT.name / "2").symlink_to(tmp_path / "v2" / STYLE_PREDICT.name / "2")
    assert (await client.model_metadata(STYLE_PREDICT.name)).versions == (1,)  # like Triton's explicit mode
    await client.load_model(STYLE_PREDICT.name, [1, 2])
    assert (await client.model_metadata(STYLE_PREDICT.name)).versions == (2, 1)


@pytest.mark.parametrize(("configured", "threads"), [("1", 1), (None, 3)])
async def test_a_models_embedded_intra_op_threads_sets_its_sessions_threads(
        repository: Path, tmp_path: Path, configured: str | None, threads: int) -> None:
    """A model's config sets its own session's threads; a model without the key takes the client's (here 3)."""
    root = _repo_with_versions(repository, tmp_path, [1], VersionPolicy("latest", 1))
    config = root / STYLE_PREDICT.name / "config.pbtxt"
    text = config.read_text()
    if configured is None:
        config.write_text(text.replace('key: "embedded_intra_op_threads"', 'key: "unrelated"'))
    client = EmbeddedClient(root, intra_op_threads=3)
    await client.load_model(STYLE_PREDICT.name)
    session = client._session(STYLE_PREDICT.name, 1)
    assert session.get_session_options().intra_op_num_threads == threads
