"""Forward-shape smoke tests at the smallest sensible input (random init, no_grad)."""

from __future__ import annotations

import torch
from fittingroom.segment.u2net import ClothSegmU2Net, U2Net, U2NetMask, U2NetP

torch.set_grad_enabled(False)


def test_u2netp_forward_shapes() -> None:
    outputs = U2NetP().eval()(torch.rand(1, 3, 64, 48))
    assert len(outputs) == 7
    assert all(o.shape == (1, 1, 64, 48) for o in outputs)
    assert all(float(o.min()) >= 0 and float(o.max()) <= 1 for o in outputs)  # sigmoid maps


def test_u2net_mask_forward_shape() -> None:
    # Odd size: ceil-mode pooling plus size-matched upsampling must give back the input size.
    assert U2NetMask(U2Net().eval())(torch.rand(1, 3, 33, 35)).shape == (1, 1, 33, 35)


def test_cloth_segm_u2net_forward_shapes() -> None:
    outputs = ClothSegmU2Net().eval()(torch.rand(1, 3, 32, 32))
    assert len(outputs) == 7
    assert all(o.shape == (1, 4, 32, 32) for o in outputs)
