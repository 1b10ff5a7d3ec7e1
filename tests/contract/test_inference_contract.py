"""One contract for every `InferenceClient`: the embedded ONNX Runtime backend and Triton over gRPC.

Each test runs once per implementation (the `client` fixture); results are checked against ONNX
Runtime run directly on the repository's model file, so both must give the same numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from fittingroom.common.errors import DeadlineExceeded, InvalidInput, ModelNotFound
from fittingroom.common.inference import InferenceClient, ModelControl, Tensors
from fittingroom.common.repository import ModelRepository
from fittingroom.gateway.errors import http_status
from fittingroom.segment.processing import u2net_input
from fittingroom.stylize.processing import style_input

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the loop the `client` fixture runs in

ATOL = 1e-5  # same ORT build and graph on both sides; batching must not change the numbers


def _direct(repository: Path, model: str, inputs: Tensors) -> Tensors:
    session = ort.InferenceSession(str(ModelRepository(repository).model_path(model, 1)),
                                   providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, inputs), strict=True))


@pytest.fixture(scope="module")
def style_inputs(artwork: np.ndarray) -> Tensors:
    return {"style_image": style_input(artwork)}


@pytest.fixture(scope="module")
def person_inputs(person: np.ndarray) -> Tensors:
    return {"image": u2net_input(person)}


async def test_implements_the_interfaces(client: InferenceClient) -> None:
    assert isinstance(client, InferenceClient) and isinstance(client, ModelControl)


async def test_style_vector_round_trip(client: InferenceClient, repository: Path,
                                       style_inputs: Tensors) -> None:
    out = await client.infer("style_predict", style_inputs)
    assert set(out) == {"style_vector"}
    assert out["style_vector"].shape == (1, 1, 1, 100) and out["style_vector"].dtype == np.float32
    expected = _direct(repository, "style_predict", style_inputs)["style_vector"]
    np.testing.assert_allclose(out["style_vector"], expected, atol=ATOL)


async def test_person_mask_round_trip(client: InferenceClient, repository: Path,
                                      person_inputs: Tensors) -> None:
    out = await client.infer("u2netp", person_inputs, version=1)
    mask = out["mask"]
    assert mask.shape == (1, 1, 320, 320) and mask.flags.writeable
    np.testing.assert_allclose(mask, _direct(repository, "u2netp", person_inputs)["mask"], atol=ATOL)
    assert 0.05 < float((mask > 0.5).mean()) < 0.9  # a person, not an empty or full mask


async def test_batch_of_two_matches_two_singles(client: InferenceClient, style_inputs: Tensors) -> None:
    other = np.ascontiguousarray(style_inputs["style_image"][:, ::-1])  # mirrored artwork
    pair = np.concatenate([style_inputs["style_image"], other])
    batch = await client.infer("style_predict", {"style_image": pair})
    first = await client.infer("style_predict", style_inputs)
    second = await client.infer("style_predict", {"style_image": other})
    np.testing.assert_allclose(batch["style_vector"][0], first["style_vector"][0], atol=ATOL)
    np.testing.assert_allclose(batch["style_vector"][1], second["style_vector"][0], atol=ATOL)


async def test_unknown_model_is_not_found(client: InferenceClient, style_inputs: Tensors) -> None:
    with pytest.raises(ModelNotFound) as raised:
        await client.infer("no_such_model", style_inputs)
    assert http_status(raised.value) == 404 and "no_such_model" in raised.value.message
    with pytest.raises(ModelNotFound):
        await client.model_metadata("no_such_model")


async def test_unknown_version_is_not_found(client: InferenceClient, style_inputs: Tensors) -> None:
    with pytest.raises(ModelNotFound, match="7"):
        await client.infer("style_predict", style_inputs, version=7)
    with pytest.raises(ModelNotFound):
        await client.model_metadata("style_predict", version=7)


@pytest.mark.parametrize("bad", ["name", "dtype", "shape", "batch"])
async def test_wrong_input_is_invalid(client: InferenceClient, style_inputs: Tensors, bad: str) -> None:
    image = style_inputs["style_image"]
    inputs = {
        "name": {"artwork": image},
        "dtype": {"style_image": image.astype(np.float64)},
        "shape": {"style_image": image[:, :128]},
        "batch": {"style_image": np.repeat(image, 9, axis=0)},  # max_batch_size is 8
    }[bad]
    with pytest.raises(InvalidInput) as raised:
        await client.infer("style_predict", inputs)
    assert http_status(raised.value) == 422


@pytest.mark.parametrize("model", ["style_predict", "u2netp"])
async def test_metadata_matches_the_repository_config(client: InferenceClient, repository: Path,
                                                      model: str) -> None:
    config = ModelRepository(repository).config(model)
    metadata = await client.model_metadata(model)
    assert metadata.name == model and metadata.versions == (1,)
    assert metadata.inputs == config.inputs and metadata.outputs == config.outputs
    assert metadata.max_batch_size == config.max_batch_size == 8
    assert metadata.trained is True and metadata.parameters["trained"] == "true"
    assert metadata.parameters["weights_license"] == config.parameters["weights_license"]


async def test_readiness(client: InferenceClient) -> None:
    assert await client.is_server_ready()
    assert await client.is_model_ready("style_predict")
    assert await client.is_model_ready("style_predict", 1)
    assert not await client.is_model_ready("style_predict", 7)
    assert not await client.is_model_ready("no_such_model")


async def test_deadline(client: InferenceClient, person_inputs: Tensors) -> None:
    with pytest.raises(DeadlineExceeded) as raised:
        await client.infer("u2netp", person_inputs, timeout_s=0.001)
    assert http_status(raised.value) == 504
