"""The models the per-model benchmark runs: served ones and the garment-transfer ones being added.

Each case says how its inputs are made from a photo, so that every variant computes the same thing from the
same uint8 NHWC batch: the float variants normalise in numpy (as our stage clients do) and the uint8 variant
does it inside the graph. The torch variant graph is built by wrapping the torch model (`Uint8Input`); the
served models without a torch definition (Magenta, MediaPipe) get the same two ops prepended in ONNX.

Weights: u2netp has the official ones (as served); the garment-transfer models have no checkpoint here yet,
so they run with their random initialisation. Speed does not depend on the values of dense conv weights.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from bench.common import CACHE, ROOT

log = logging.getLogger(__name__)

ONNX_OPSET = 17  # grid_sample (DAFlow, VITON-HD GMM) needs >= 16; the served u2netp uses 17
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# VITON-HD's generator is served at half its official 1024x768 (a quarter of the compute), the segmentation
# generator and GMM at their network size 256x192 as the official test script runs them.
ALIAS_SIZE = (512, 384)
ALIAS_OFFICIAL_SIZE = (1024, 768)


@dataclass(frozen=True)
class Photo:
    """How a uint8 RGB photo (NHWC) becomes a model input: per-channel (x * scale - mean) / std.

    `max_scaled`: divide each image by its own maximum first (U2-Net's preprocessing, ours too);
    `bgr`: the model was trained on BGR (OpenCV-loaded) images; `channels`: photos stacked on channels
    (DAFlow's reference input is two RGB images, 6 channels); `nchw`: torch layout, else NHWC is kept.
    """

    scale: float = 1 / 255
    mean: tuple[float, ...] = (0.0, 0.0, 0.0)
    std: tuple[float, ...] = (1.0, 1.0, 1.0)
    bgr: bool = False
    max_scaled: bool = False
    photos: int = 1
    nchw: bool = True

    def numpy(self, batch: np.ndarray) -> np.ndarray:
        """uint8 [N, H, W, 3*photos] -> float32 model input (what a stage client does before infer)."""
        x = batch.astype(np.float32)
        if self.max_scaled:
            x /= np.maximum(x.reshape(len(x), -1).max(axis=1), 1e-6)[:, None, None, None]
        else:
            x *= self.scale
        if self.bgr:
            x = np.concatenate([x[..., 3 * p:3 * p + 3][..., ::-1] for p in range(self.photos)], axis=-1)
        mean = np.tile(np.asarray(self.mean, np.float32), self.photos)
        std = np.tile(np.asarray(self.std, np.float32), self.photos)
        x = (x - mean) / std
        return np.ascontiguousarray(x.transpose(0, 3, 1, 2) if self.nchw else x)


U2NET_PHOTO = Photo(mean=IMAGENET_MEAN, std=IMAGENET_STD, max_scaled=True)
# SCHP's official transform: BGR image, ToTensor, Normalize with these (BGR-ordered) statistics.
SCHP_PHOTO = Photo(mean=(0.406, 0.456, 0.485), std=(0.225, 0.224, 0.229), bgr=True)
OPENPOSE_PHOTO = Photo(scale=1 / 256, mean=(0.5, 0.5, 0.5), bgr=True)  # caffe: x / 256 - 0.5 on BGR
DAFLOW_PHOTO = Photo(mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))  # [-1, 1]; cloth-segmentation's infer.py too
UNIT_NHWC = Photo(nchw=False)  # Magenta and MediaPipe: RGB in [0, 1], NHWC


@dataclass(frozen=True)
class Input:
    name: str
    shape: tuple[int, ...]  # one sample, in the model's own layout
    photo: Photo | None = None  # None: not a photo (parse maps, masks, style vectors): random float32

    def photo_shape(self) -> tuple[int, int, int]:
        """The uint8 NHWC sample this input is computed from."""
        assert self.photo is not None
        c, h, w = self.shape if self.photo.nchw else (self.shape[2], *self.shape[:2])
        return h, w, c


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    inputs: tuple[Input, ...]
    build: Callable[[], Any] | None = None  # the torch module (eval), None: no torch definition exists
    served: str | None = None  # the served model's name in model_repository/
    sources: tuple[str, ...] = ()  # files whose content identifies the exported graph (cache key)
    note: str = ""
    uint8_reason: str = ""  # why there is no uint8 variant, when there is none
    extra: dict[str, Any] = field(default_factory=dict)
    gpu_only: bool = False  # too slow for the CPU suite's budget: measured by `--device cuda` alone

    @property
    def resolution(self) -> str:
        first = self.inputs[0]
        h, w = (first.shape[1:3] if first.photo is None or first.photo.nchw else first.shape[0:2])
        return f"{h}x{w}"

    @property
    def has_uint8(self) -> bool:
        return any(i.photo is not None for i in self.inputs)


# -- builders (imports inside: torch loads only when a torch case runs) ---------------------------------

def _u2netp() -> Any:
    from fittingroom.export.checkpoints import load_u2netp_from_onnx
    from fittingroom.export.weights import fetch
    from fittingroom.segment.u2net import U2NetMask, U2NetP

    net = U2NetP()
    load_u2netp_from_onnx(net, fetch("u2netp"))
    return U2NetMask(net).eval()


def _u2net_cloth() -> Any:
    from fittingroom.segment.u2net import ClothSegmU2Net, U2NetMask

    return U2NetMask(ClothSegmU2Net()).eval()  # d0: the fused 4-class logits, as served


def _schp() -> Any:
    from fittingroom.segment.schp import SCHPFusionLogits, schp_resnet101

    return SCHPFusionLogits(schp_resnet101("lip")).eval()


def _openpose() -> Any:
    from fittingroom.pose.openpose import OpenPoseBody

    return OpenPoseBody().eval()


def _daflow() -> Any:
    from fittingroom.warp_gen.daflow import SDAFNetTryOn

    return SDAFNetTryOn().eval()


def _seg() -> Any:
    from fittingroom.warp_gen.vitonhd import SegGenerator

    return SegGenerator().eval()


def _gmm() -> Any:
    from fittingroom.warp_gen.vitonhd import GMM

    return GMM().eval()


def _alias(size: tuple[int, int] = ALIAS_SIZE) -> Any:
    from fittingroom.warp_gen.vitonhd import ALIASGenerator, fold_spectral_norm

    # Noise left out (the served graph takes it as one more input): the same work per call to time.
    net = ALIASGenerator(load_height=size[0], load_width=size[1], use_noise=False)
    fold_spectral_norm(net)
    return net.eval()


def _alias_inputs(size: tuple[int, int]) -> tuple[Input, ...]:
    return (Input("x", (9, *size)), Input("seg", (7, *size)), Input("seg_div", (8, *size)),
            Input("misalign", (1, *size)))


_S = "services"
CASES: tuple[Case, ...] = (
    Case("u2netp", "person/garment mask (served)", (Input("image", (3, 320, 320), U2NET_PHOTO),), _u2netp,
         served="u2netp", sources=(f"{_S}/segment/u2net.py",), note="official weights"),
    Case("style_predict", "style vector (served, Magenta)", (Input("style_image", (256, 256, 3), UNIT_NHWC),),
         served="style_predict", note="no torch definition: released ONNX graph"),
    Case("style_transform", "stylize (served, Magenta)",
         (Input("content_image", (384, 384, 3), UNIT_NHWC), Input("style_vector", (1, 1, 100))),
         served="style_transform", note="no torch definition: released ONNX graph"),
    Case("pose_landmark", "pose (served, MediaPipe BlazePose)", (Input("image", (256, 256, 3), UNIT_NHWC),),
         served="pose_landmark", note="no torch definition: TFLite converted by tf2onnx"),
    Case("u2net_cloth", "cloth segmentation, U2-Net 4 classes", (Input("image", (3, 320, 320), DAFLOW_PHOTO),),
         _u2net_cloth, sources=(f"{_S}/segment/u2net.py",), note="random init (no checkpoint here)"),
    Case("schp_lip", "human parsing, SCHP ResNet-101 (LIP)", (Input("image", (3, 473, 473), SCHP_PHOTO),), _schp,
         sources=(f"{_S}/segment/schp.py",), note="random init (no checkpoint here)"),
    Case("openpose_body", "OpenPose body (VGG-19 + 6 stages)", (Input("image", (3, 368, 368), OPENPOSE_PHOTO),),
         _openpose, sources=(f"{_S}/pose/openpose.py",), note="random init (no checkpoint here)"),
    Case("daflow", "DAFlow try-on (SDAFNet)",
         (Input("ref_input", (6, 256, 192), Photo(mean=(0.5,) * 3, std=(0.5,) * 3, photos=2)),
          Input("source_image", (3, 256, 192), DAFLOW_PHOTO), Input("ref_image", (3, 256, 192), DAFLOW_PHOTO)),
         _daflow, sources=(f"{_S}/warp-gen/daflow.py",), note="random init (no checkpoint here)"),
    Case("vitonhd_seg", "VITON-HD segmentation generator", (Input("seg_input", (21, 256, 192)),), _seg,
         sources=(f"{_S}/warp-gen/vitonhd.py",), note="random init (no checkpoint here)",
         uint8_reason="inputs are parse maps and masks stacked with the photo"),
    Case("vitonhd_gmm", "VITON-HD geometric matching (TPS)",
         (Input("person_repr", (7, 256, 192)), Input("cloth", (3, 256, 192))), _gmm,
         sources=(f"{_S}/warp-gen/vitonhd.py",), note="random init (no checkpoint here)",
         uint8_reason="inputs are parse maps and masks stacked with the photo"),
    Case("vitonhd_alias", "VITON-HD ALIAS generator (served at 512x384)", _alias_inputs(ALIAS_SIZE), _alias,
         sources=(f"{_S}/warp-gen/vitonhd.py",), note="random init (no checkpoint here)",
         uint8_reason="inputs are parse maps and masks stacked with the photo"),
    Case("vitonhd_alias_1024", "VITON-HD ALIAS generator at its official 1024x768 (TRYON_VTON_SIZE)",
         _alias_inputs(ALIAS_OFFICIAL_SIZE), partial(_alias, ALIAS_OFFICIAL_SIZE),
         sources=(f"{_S}/warp-gen/vitonhd.py",), note="random init (no checkpoint here)",
         uint8_reason="inputs are parse maps and masks stacked with the photo", gpu_only=True),
)


def cases(names: Sequence[str] | None = None, *, gpu: bool = False) -> list[Case]:
    """The named cases, else every case the device's suite runs (`gpu`: the GPU-only ones too)."""
    if not names:
        return [c for c in CASES if gpu or not c.gpu_only]
    unknown = sorted(set(names) - {c.name for c in CASES})
    if unknown:
        raise SystemExit(f"unknown model(s) {unknown}; known: {[c.name for c in CASES]}")
    return [c for c in CASES if c.name in names]


# -- inputs ----------------------------------------------------------------------------------------------

def photos(case: Case, batch: int, seed: int = 0) -> list[np.ndarray]:
    """One array per input: uint8 NHWC photos for photo inputs, float32 in [0, 1) for the others."""
    rng = np.random.default_rng(seed)
    arrays: list[np.ndarray] = []
    for spec in case.inputs:
        if spec.photo is None:
            arrays.append(rng.random((batch, *spec.shape), dtype=np.float32))
        else:
            h, w, c = spec.photo_shape()
            arrays.append(rng.integers(0, 256, (batch, h, w, c), dtype=np.uint8))
    return arrays


def float_inputs(case: Case, raw: list[np.ndarray]) -> list[np.ndarray]:
    """What the float graphs take: photos normalised in numpy, other inputs as they are."""
    return [spec.photo.numpy(x) if spec.photo is not None else x for spec, x in zip(case.inputs, raw, strict=True)]


# -- graphs ----------------------------------------------------------------------------------------------

def torch_uint8_wrapper(case: Case, net: Any) -> Any:
    """The torch model behind an in-graph normalisation of uint8 NHWC photos (same math as Photo.numpy)."""
    import torch

    class Uint8Input(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net
            for i, spec in enumerate(case.inputs):
                if spec.photo is not None:
                    p = spec.photo
                    self.register_buffer(f"mean{i}", torch.tensor(p.mean * p.photos).view(1, -1, 1, 1))
                    self.register_buffer(f"std{i}", torch.tensor(p.std * p.photos).view(1, -1, 1, 1))

        def forward(self, *inputs: torch.Tensor) -> Any:
            prepared = []
            for i, (spec, x) in enumerate(zip(case.inputs, inputs, strict=True)):
                p = spec.photo
                if p is None:
                    prepared.append(x)
                    continue
                y = x.permute(0, 3, 1, 2).float()
                y = y / y.amax(dim=(1, 2, 3), keepdim=True).clamp_min(1e-6) if p.max_scaled else y * p.scale
                if p.bgr:
                    y = torch.cat([y[:, 3 * k:3 * k + 3].flip(1) for k in range(p.photos)], 1)
                prepared.append((y - getattr(self, f"mean{i}")) / getattr(self, f"std{i}"))
            return self.net(*prepared)

    return Uint8Input().eval()


def _fingerprint(case: Case, variant: str) -> str:
    digest = hashlib.sha256(f"{case.name}/{variant}/{ONNX_OPSET}".encode())
    for source in (*case.sources, "bench/zoo.py"):
        digest.update((ROOT / source).read_bytes())
    return digest.hexdigest()[:16]


def export_torch(case: Case, module: Any, variant: str, cache: Path = CACHE / "onnx") -> Path:
    """`module` exported with a dynamic batch axis, cached by the source files that define it."""
    import torch

    from fittingroom.export import symbolics

    symbolics.register()  # ALIAS's instance norms, as the served export writes them

    path = cache / f"{case.name}-{variant}-{_fingerprint(case, variant)}.onnx"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    for stale in cache.glob(f"{case.name}-{variant}-*.onnx"):
        stale.unlink()
    names = [i.name for i in case.inputs]
    uint8 = variant == "uint8"
    example = tuple(torch.from_numpy(x) for x in (photos(case, 1) if uint8 else float_inputs(case, photos(case, 1))))
    log.info("exporting %s (%s) to ONNX", case.name, variant)
    unfinished = path.with_suffix(".part")
    with torch.no_grad():
        torch.onnx.export(module, example, str(unfinished), input_names=names, opset_version=ONNX_OPSET,
                          dynamic_axes={n: {0: "batch"} for n in names}, dynamo=False)
    unfinished.rename(path)
    return path


def uint8_onnx(case: Case, source: Path, cache: Path = CACHE / "onnx") -> Path:
    """A served NHWC graph with uint8 photo inputs: Cast and Mul by 1/255 prepended (its only preprocessing)."""
    path = cache / f"{case.name}-uint8-{hashlib.sha256(source.read_bytes()).hexdigest()[:16]}.onnx"
    if path.is_file():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    model = onnx.load(str(source))
    graph = model.graph
    prepended = []
    for spec in case.inputs:
        if spec.photo is None:
            continue
        assert not spec.photo.nchw and spec.photo.mean == (0.0, 0.0, 0.0) and spec.photo.std == (1.0, 1.0, 1.0)
        original = next(i for i in graph.input if i.name == spec.name)
        internal = f"{spec.name}_float"
        for node in graph.node:
            node.input[:] = [internal if n == spec.name else n for n in node.input]
        original.type.tensor_type.elem_type = TensorProto.UINT8
        scale = f"{spec.name}_scale"
        graph.initializer.append(numpy_helper.from_array(np.array(spec.photo.scale, np.float32), scale))
        prepended += [helper.make_node("Cast", [spec.name], [f"{spec.name}_cast"], to=TensorProto.FLOAT),
                      helper.make_node("Mul", [f"{spec.name}_cast", scale], [internal])]
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend([*prepended, *nodes])
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
