"""Our architectures must reproduce the official state_dicts exactly (keys, shapes, dtypes, counts).

The reference layouts are recorded from the official code (tests/assets/checkpoint-layouts). Models are
built on the meta device: no memory, no init cost, and shapes/keys are all these tests need. Each test
also pushes a fake checkpoint in the official on-disk format through the documented key mapping.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import torch
from torch import nn

from fittingroom.export import checkpoints as ckpt
from fittingroom.pose.openpose import OpenPoseBody, OpenPoseHand
from fittingroom.segment.schp import schp_resnet101
from fittingroom.segment.u2net import ClothSegmU2Net, U2Net, U2NetP
from fittingroom.warp_gen.daflow import SDAFNetTryOn
from fittingroom.warp_gen.vitonhd import GMM, ALIASGenerator, SegGenerator

LAYOUTS = Path(__file__).resolve().parent.parent / "assets" / "checkpoint-layouts"


def _reference(name: str) -> dict[str, Any]:
    reference: dict[str, Any] = json.loads((LAYOUTS / f"{name}.json").read_text())
    return reference


def _build(factory: Callable[[], nn.Module]) -> nn.Module:
    with torch.device("meta"):
        return factory()


def _official_checkpoint(
    reference: dict[str, Any], to_checkpoint_key: Callable[[str], str]
) -> dict[str, Any]:
    """A stand-in for the released file: same keys and shapes, meta tensors instead of weights."""
    state = {
        to_checkpoint_key(key): torch.empty(shape, device="meta")
        for key, shape in reference["state_dict"].items()
    }
    wrapper = reference.get("checkpoint_wrapper")
    return {wrapper: state, "epoch": 1} if wrapper else state


def assert_matches_layout(
    model: nn.Module,
    name: str,
    layout: ckpt.CheckpointLayout,
    to_checkpoint_key: Callable[[str], str] = lambda key: key,
) -> None:
    """State_dict keys (in order), shapes, dtypes and counts equal the official ones, after mapping."""
    reference = _reference(name)
    ours = model.state_dict()
    assert list(ours) == list(reference["state_dict"])
    assert {k: list(v.shape) for k, v in ours.items()} == reference["state_dict"]
    non_float = reference.get("non_float32_entries", {})
    assert {k: str(v.dtype).removeprefix("torch.") for k, v in ours.items() if v.dtype != torch.float32} == (
        non_float
    )
    assert sum(p.numel() for p in model.parameters()) == reference["num_params"]
    assert sum(v.numel() for v in ours.values()) == reference["num_state_dict_elements"]
    assert len(ours) == reference["num_state_dict_entries"]

    official = _official_checkpoint(reference, to_checkpoint_key)
    remapped = ckpt.remap_state_dict(ckpt.unwrap_checkpoint(official, layout), layout, list(ours))
    assert {k: list(v.shape) for k, v in remapped.items()} == reference["state_dict"]


def test_u2net_layout() -> None:
    assert_matches_layout(_build(U2Net), "u2net", ckpt.U2NET)


def test_u2netp_layout() -> None:
    assert_matches_layout(_build(U2NetP), "u2netp", ckpt.U2NETP)


def test_cloth_segm_u2net_layout() -> None:
    prefix = _reference("cloth_segm_u2net")["checkpoint_key_prefix"]
    assert_matches_layout(
        _build(ClothSegmU2Net), "cloth_segm_u2net", ckpt.CLOTH_SEGM_U2NET, lambda key: prefix + key
    )


def _schp_layout(dataset: Literal["lip", "atr", "pascal"]) -> None:
    name = f"schp_resnet101_{dataset}"
    prefix = _reference(name)["checkpoint_key_prefix"]
    assert_matches_layout(_build(lambda: schp_resnet101(dataset)), name, ckpt.SCHP, lambda key: prefix + key)


def test_schp_lip_layout() -> None:
    _schp_layout("lip")


def test_schp_atr_layout() -> None:
    _schp_layout("atr")


def test_schp_pascal_layout() -> None:
    _schp_layout("pascal")


def test_vitonhd_seg_layout() -> None:
    assert_matches_layout(_build(SegGenerator), "vitonhd_seg", ckpt.VITONHD)


def test_vitonhd_gmm_layout() -> None:
    assert_matches_layout(_build(GMM), "vitonhd_gmm", ckpt.VITONHD)


def test_vitonhd_alias_layout() -> None:
    model = _build(ALIASGenerator)
    assert_matches_layout(model, "vitonhd_alias", ckpt.VITONHD)
    spectral = [
        k for k in model.state_dict() if k.rsplit(".", 1)[1] in {"weight_orig", "weight_u", "weight_v"}
    ]
    assert spectral == _reference("vitonhd_alias")["spectral_norm_keys"]


def test_daflow_layout() -> None:
    assert_matches_layout(_build(SDAFNetTryOn), "daflow_sdafnet_tryon", ckpt.DAFLOW)


def _openpose_layout(model: nn.Module, name: str) -> None:
    key_map: dict[str, str] = _reference(name)["checkpoint_key_map"]
    assert all(ckpt.drop_first_component(k) == v for k, v in key_map.items())
    assert_matches_layout(model, name, ckpt.OPENPOSE, key_map.__getitem__)


def test_openpose_body_layout() -> None:
    _openpose_layout(_build(OpenPoseBody), "openpose_body")


def test_openpose_hand_layout() -> None:
    _openpose_layout(_build(OpenPoseHand), "openpose_hand")
