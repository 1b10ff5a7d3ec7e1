"""export/symbolics.py: the parameter-free instance norm exports where the legacy exporter lost the channels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from fittingroom.export import symbolics
from fittingroom.export.recipe import ONNX_OPSET, session


class ResizedNorm(nn.Module):
    """ALIAS's pattern: a map resized to another's size and concatenated, then instance-normalised."""

    def forward(self, x: torch.Tensor, seg: torch.Tensor) -> torch.Tensor:
        joined = torch.cat((F.interpolate(x, scale_factor=2, mode="nearest"),
                            F.interpolate(seg, size=(x.shape[2] * 2, x.shape[3] * 2), mode="nearest")), 1)
        return nn.InstanceNorm2d(joined.shape[1])(joined)


@pytest.mark.parametrize("size", [(2, 1), (4, 3), (8, 6)])
def test_instance_norm_exports_with_an_unknown_channel_count(tmp_path: Path, size: tuple[int, int]) -> None:
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, 4, *size, generator=generator)
    seg = torch.rand(1, 3, 16, 16, generator=generator)
    path = tmp_path / "norm.onnx"
    symbolics.register()
    torch.onnx.export(ResizedNorm(), (x, seg), str(path), input_names=["x", "seg"], output_names=["y"],
                      dynamic_axes={n: {0: "batch"} for n in ("x", "seg", "y")}, opset_version=ONNX_OPSET,
                      dynamo=False)
    assert "InstanceNormalization" in {node.op_type for node in onnx.load(str(path)).graph.node}
    batch = (torch.cat((x, x + 1)), torch.cat((seg, seg.flip(2))))  # another batch size than the trace's
    (exported,) = session(path).run(["y"], {"x": batch[0].numpy(), "seg": batch[1].numpy()})
    np.testing.assert_allclose(exported, ResizedNorm()(*batch).numpy(), atol=1e-5)
