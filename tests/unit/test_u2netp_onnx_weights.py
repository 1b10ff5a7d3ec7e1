"""rembg's official u2netp.onnx (BatchNorm folded) loaded into our U2NetP reproduces onnxruntime."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import torch

from fittingroom.export.checkpoints import U2NETP_ONNX_D0_OUTPUT, load_u2netp_from_onnx
from fittingroom.export.weights import fetch
from fittingroom.segment.u2net import U2NetMask, U2NetP

SIZE = 320  # the exported graph has a fixed 1x3x320x320 input
TOLERANCE = 1e-4
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)[:, None, None]
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)[:, None, None]


def _image_like_input() -> np.ndarray:
    """A smooth picture with a salient disc, normalized as u2net_test.py does."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / SIZE
    disc = ((xx - 0.5) ** 2 + (yy - 0.5) ** 2 < 0.1).astype(np.float32)
    image = np.stack([0.5 + 0.5 * np.sin(6 * xx), xx * yy, disc])
    return ((image - IMAGENET_MEAN) / IMAGENET_STD)[None].astype(np.float32)


def test_u2netp_onnx_weights_match_onnxruntime() -> None:
    onnx_path = fetch("u2netp")
    model = U2NetP()
    load_u2netp_from_onnx(model, onnx_path)
    mask = U2NetMask(model).eval()

    x = _image_like_input()
    with torch.no_grad():
        ours = mask(torch.from_numpy(x)).numpy()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    (reference,) = session.run([U2NETP_ONNX_D0_OUTPUT], {session.get_inputs()[0].name: x})

    assert ours.shape == reference.shape == (1, 1, SIZE, SIZE)
    assert float(np.abs(ours - reference).max()) < TOLERANCE
    # Every BatchNorm is now an identity: the folded convs carry all the information.
    for bn in (m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)):
        assert bn.running_mean is not None and bn.running_var is not None
        assert torch.all(bn.weight == 1) and torch.all(bn.bias == 0) and torch.all(bn.running_mean == 0)
