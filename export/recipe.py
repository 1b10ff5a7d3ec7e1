"""What a builder returns, how driver.py knows a model's inputs, and the ONNX Runtime helpers both use."""

from __future__ import annotations

import warnings
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import onnx
import onnxruntime as ort

from fittingroom.common.modelspec import ModelSpec

ONNX_OPSET = 17  # >= 16 for GridSample (the warp-gen models)


@dataclass(frozen=True)
class Built:
    model: onnx.ModelProto
    parity: dict[str, object]


@dataclass(frozen=True)
class OperatorCheckpoint:
    """An official checkpoint file that the operator may put into TRYON_WEIGHTS_DIR."""

    file_name: str
    path: Path | None  # None: not there, and the model is built from seeded random weights


class Recipe(NamedTuple):
    """How to build one served model, and what identifies a build (for the up-to-date check)."""

    spec: ModelSpec
    build: Callable[[Path], Built]
    weight_keys: tuple[str, ...] = ()  # registry weights (export/weights.py) whose bytes identify the build
    checkpoint: OperatorCheckpoint | None = None
    sources: tuple[Path, ...] = ()  # code files whose bytes identify the build (architectures, wrappers)
    # Slow set-up the build needs that depends on nothing else (an environment to create): the export starts
    # it in the background while the models before this one build.
    prepare: Callable[[], object] | None = None


def seed_for(name: str) -> int:
    """The torch seed of a model's placeholder weights: fixed per model name, so rebuilds are identical."""
    return zlib.crc32(name.encode())


@contextmanager
def tracing_quietly() -> Iterator[None]:
    """Around a model's build: its `torch.onnx.export(dynamo=False)` traces the module, and the tracer warns
    (TracerWarning) wherever Python reads a tensor's size, e.g. `int(x.shape[2])` in SCHP's pyramid pooling,
    because the value is frozen into the graph. Only the batch is dynamic in our specs, and every export is
    compared with eager on a batch of another size than the traced one, which a frozen batch would fail: the
    warnings say nothing that check does not, in lines that bury the export's own output."""
    import torch  # only when a model is built: export/ is the only importer of torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        # InstanceNorm2d without running statistics (VITON-HD's, as the official code builds them) normalises by
        # the input's own statistics in eval mode too; torch says it exports such a layer "with train=True",
        # which is that same function (ONNX InstanceNormalization), checked against eager like the rest.
        warnings.filterwarnings("ignore", "ONNX export mode is set to TrainingMode.EVAL, but operator 'instance_norm'",
                                UserWarning)
        yield


def session(model: onnx.ModelProto | Path) -> ort.InferenceSession:
    source = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    return ort.InferenceSession(source, providers=["CPUExecutionProvider"])


def max_diff(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    return max(float(np.abs(x - y).max()) for x, y in zip(a, b, strict=True))
