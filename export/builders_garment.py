"""Builders of the garment-transfer models: cloth mask, human parsing, OpenPose, VITON-HD and DAFlow.

Official checkpoints cannot be downloaded from our build machines, and several are non-commercial,
so the operator puts the released files into TRYON_WEIGHTS_DIR under their release names
(`CHECKPOINT_FILES`). A file that is there is loaded strictly through its documented key mapping
(export/checkpoints.py) and the model is marked trained; without it the model is built from seeded
random weights and marked untrained in its config, which export.json, report.json and the API repeat.
Either way the exported graph is checked against torch eager on the same random batch.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
from torch import nn

from fittingroom.common.modelspec import ModelSpec, Provenance
from fittingroom.export import checkpoints as ckpt
from fittingroom.export import symbolics
from fittingroom.export.recipe import ONNX_OPSET, Built, OperatorCheckpoint, Recipe, max_diff, seed_for, session
from fittingroom.export.settings import ExportSettings
from fittingroom.pose.openpose import OpenPoseBody
from fittingroom.pose.spec import OPENPOSE_BODY
from fittingroom.segment.schp import SCHPFusionLogits, schp_resnet101
from fittingroom.segment.spec import SCHP_ATR, SCHP_LIP, SCHP_PASCAL, U2NET_CLOTH
from fittingroom.segment.u2net import ClothSegmU2Net, U2NetMask
from fittingroom.warp_gen.daflow import SDAFNetTryOn
from fittingroom.warp_gen.served_networks import DAFlowTryOn, VitonHDGeneration, VitonHDSegmentation, VitonHDWarp
from fittingroom.warp_gen.spec import DAFLOW, VTON_SIZES, vitonhd_specs
from fittingroom.warp_gen.vitonhd import GMM, ALIASGenerator, SegGenerator

UNTRAINED_SOURCE = "seeded random weights (no checkpoint in TRYON_WEIGHTS_DIR): untrained placeholder"
# Two different samples: one comparison proves the numbers and that the graph takes any batch size.
PROBE_BATCH = 2

# The official release file of each model, as the operator puts it into TRYON_WEIGHTS_DIR.
CHECKPOINT_FILES = {
    "u2net_cloth": "cloth_segm_u2net_latest.pth",
    "schp_lip": "exp-schp-201908261155-lip.pth",
    "schp_atr": "exp-schp-201908301523-atr.pth",
    "schp_pascal": "exp-schp-201908270938-pascal-person-part.pth",
    "openpose_body": "body_pose_model.pth",
    "vitonhd_seg": "seg_final.pth",
    "vitonhd_gmm": "gmm_final.pth",
    "vitonhd_alias": "alias_final.pth",
    "daflow": "ckpt_viton.pt",
}


@dataclass(frozen=True)
class GarmentModel:
    """One served network: contract, checkpoint format, official constructor and export wrapper."""

    spec: ModelSpec  # its provenance describes the official weights
    layout: ckpt.CheckpointLayout
    network: Callable[[], nn.Module]  # the official constructor settings, randomly initialised
    serve: Callable[[Any], nn.Module]  # the exported module around the (loaded) network


def _same(net: nn.Module) -> nn.Module:
    """The network is exported as it is."""
    return net


def garment_models(vton_size: str) -> tuple[GarmentModel, ...]:
    """Every garment-transfer model, the VITON-HD ones at output size `vton_size`."""
    height, width = VTON_SIZES[vton_size]
    seg, gmm, alias = vitonhd_specs(height, width)
    schp = partial(GarmentModel, layout=ckpt.SCHP, serve=SCHPFusionLogits)
    return (
        GarmentModel(U2NET_CLOTH, ckpt.CLOTH_SEGM_U2NET, ClothSegmU2Net, U2NetMask),
        schp(SCHP_LIP, network=partial(schp_resnet101, "lip")),
        # ATR and Pascal-Person-Part are alternatives to LIP (which VITON-HD's labels follow).
        schp(SCHP_ATR, network=partial(schp_resnet101, "atr")),
        schp(SCHP_PASCAL, network=partial(schp_resnet101, "pascal")),
        GarmentModel(OPENPOSE_BODY, ckpt.OPENPOSE, OpenPoseBody, _same),
        # The official blur, scaled to the served canvas.
        GarmentModel(seg, ckpt.VITONHD, SegGenerator, partial(VitonHDSegmentation, height=height)),
        # The GMM's regression is tied to the 1024x768 training size; its TPS grid is sampled at ours.
        GarmentModel(gmm, ckpt.VITONHD, partial(GMM, grid_height=height, grid_width=width), VitonHDWarp),
        # Per-pixel noise on, as the official generator at inference; its draws are the `noise` input.
        GarmentModel(alias, ckpt.VITONHD, partial(ALIASGenerator, load_height=height, load_width=width),
                     VitonHDGeneration),
        GarmentModel(DAFLOW, ckpt.DAFLOW, SDAFNetTryOn, DAFlowTryOn),
    )


def served_spec(spec: ModelSpec, checkpoint: OperatorCheckpoint) -> ModelSpec:
    """The spec with the provenance of the weights actually used."""
    if checkpoint.path is not None:
        source = f"{spec.provenance.source}: {checkpoint.file_name} from TRYON_WEIGHTS_DIR"
        return replace(spec, provenance=replace(spec.provenance, source=source))
    return replace(spec, provenance=Provenance(
        trained=False,
        source=f"{UNTRAINED_SOURCE}; official weights: {checkpoint.file_name}",
        license=f"none (untrained); official weights: {spec.provenance.license}",
    ))


def export_checked(module: nn.Module, spec: ModelSpec, workdir: Path) -> Built:
    """Trace `module` with the spec's tensor names and a dynamic batch; compare ONNX Runtime with eager."""
    inputs = [t.name for t in spec.inputs]
    outputs = [t.name for t in spec.outputs]
    rng = np.random.default_rng(seed_for(spec.name))
    probe = {t.name: rng.random((PROBE_BATCH, *t.dims), dtype=np.float32) for t in spec.inputs}
    path = workdir / f"{spec.name}.onnx"
    symbolics.register()
    with torch.no_grad():
        torch.onnx.export(
            module, tuple(torch.from_numpy(probe[n][:1]) for n in inputs), str(path),
            input_names=inputs, output_names=outputs, dynamic_axes={n: {0: "batch"} for n in inputs + outputs},
            opset_version=ONNX_OPSET, dynamo=False,
        )
        eager = module(*(torch.from_numpy(probe[n]) for n in inputs))
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    ours = session(path).run(outputs, probe)
    reference = [t.numpy() for t in (eager if isinstance(eager, tuple) else (eager,))]
    diff = max_diff(ours, reference)
    scale = max(float(np.abs(r).max()) for r in reference)
    return Built(model, {
        "reference": f"torch eager on the same random batch of {PROBE_BATCH}",
        "max_abs_diff": diff,
        "reference_max_abs": scale,
        "relative_diff": diff / scale if scale > 0 else diff,
    })


def build_garment_model(model: GarmentModel, spec: ModelSpec, checkpoint: Path | None, workdir: Path) -> Built:
    """Seeded network, the official weights strictly loaded over it when given, exported and checked."""
    torch.manual_seed(seed_for(spec.name))
    net = model.network()
    if checkpoint is not None:
        ckpt.load_checkpoint(net, checkpoint, model.layout)
    return export_checked(model.serve(net).eval(), spec, workdir)


def _source_files(model: GarmentModel) -> tuple[Path, ...]:
    """The files defining the network and its wrapper, plus the loading and building code."""
    modules = {_defining_module(model.network), _defining_module(model.serve), ckpt.__name__, symbolics.__name__,
               __name__}
    return tuple(sorted(Path(inspect.getfile(sys.modules[m])) for m in modules))


def _defining_module(factory: Callable[..., nn.Module]) -> str:
    """Module name of a class, function or functools.partial of one."""
    return (factory.func if isinstance(factory, partial) else factory).__module__


def garment_recipes(settings: ExportSettings) -> dict[str, Recipe]:
    """A recipe per garment model, with the weights TRYON_WEIGHTS_DIR provides (or placeholders)."""
    recipes = {}
    for model in garment_models(settings.vton_size):
        checkpoint = settings.checkpoint(CHECKPOINT_FILES[model.spec.name])
        spec = served_spec(model.spec, checkpoint)
        build = partial(build_garment_model, model, spec, checkpoint.path)
        recipes[spec.name] = Recipe(spec, build, checkpoint=checkpoint, sources=_source_files(model))
    return recipes
