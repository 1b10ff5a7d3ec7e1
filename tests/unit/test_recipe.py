"""export/recipe.py: the trace hides the two torch warnings the export understands, and nothing else."""

from __future__ import annotations

import io
import warnings

import torch

from fittingroom.export.recipe import tracing_quietly


class _ReadsItsSize(torch.nn.Module):
    """`int(x.shape[2])` as SCHP's pyramid pooling does it, then a running-statistics-free InstanceNorm."""

    def __init__(self) -> None:
        super().__init__()
        self.norm = torch.nn.InstanceNorm2d(3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        warnings.warn("the project's own warning", UserWarning, stacklevel=1)
        return self.norm(torch.nn.functional.adaptive_avg_pool2d(x, int(x.shape[2]) // 2))


def _export_warnings() -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with tracing_quietly():
            torch.onnx.export(_ReadsItsSize().eval(), (torch.rand(1, 3, 8, 8),), io.BytesIO(), input_names=["x"],
                              output_names=["y"], dynamic_axes={"x": {0: "batch"}}, opset_version=17, dynamo=False)
    return [str(w.message) for w in caught if not issubclass(w.category, DeprecationWarning)]


def test_tracer_and_instance_norm_warnings_are_hidden_others_are_not() -> None:
    shown = _export_warnings()
    assert not any("might cause the trace to be incorrect" in m or "'instance_norm'" in m for m in shown), shown
    assert "the project's own warning" in shown
