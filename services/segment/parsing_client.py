"""Stage clients: human parsing (SCHP, LIP labels) and garment masks (cloth-segmentation U2Net).

Pre- and post-processing follow the official scripts, in numpy: SCHP's simple_extractor.py (the whole photo
scaled, aspect kept, into the 473x473 input; BGR, ImageNet-normalised; the stride-4 fusion logits mapped back
onto the photo; argmax) and cloth-segmentation's infer.py (RGB in [-1, 1]; argmax over background / upper /
lower / full body).
"""

from __future__ import annotations

import asyncio

import cv2
import numpy as np

from fittingroom.common.images import resize
from fittingroom.common.inference import InferenceClient
from fittingroom.common.modelspec import ModelSpec
from fittingroom.segment.spec import (
    CLOTH_SEGM_MEAN,
    CLOTH_SEGM_SIZE,
    CLOTH_SEGM_STD,
    SCHP_LIP,
    SCHP_MEAN_BGR,
    SCHP_STD_BGR,
    U2NET_CLOTH,
)

GARMENT_GREY = 255  # grey level of garment pixels in a cloth mask (VITON-HD binarises its mask PNGs at 128)


# -- SCHP -------------------------------------------------------------------------------------------


def schp_affine(height: int, width: int, size: tuple[int, int]) -> np.ndarray:
    """2x3 matrix from photo pixels to network-input pixels, as simple_extractor builds it.

    `_box2cs([0, 0, w - 1, h - 1])` grows the box to the input's aspect around its centre; `get_affine_transform`
    then sends that centre to the input's centre and the box width onto `size_w - 1` pixels: a pure scale
    and shift that keeps the photo's aspect.
    """
    out_h, out_w = size
    box_w, box_h = width - 1, height - 1
    scale = (out_w - 1) / max(box_w, box_h * out_w / out_h)
    return np.array([[scale, 0.0, (out_w - 1) / 2 - scale * box_w / 2],
                     [0.0, scale, (out_h - 1) / 2 - scale * box_h / 2]])


def schp_input(image: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """RGB uint8 photo -> ([1, 3, H, W] float32 network input, photo-to-input affine)."""
    affine = schp_affine(image.shape[0], image.shape[1], size)
    # The extractor reads with cv2 (BGR) and pads with black outside the photo.
    warped = cv2.warpAffine(np.ascontiguousarray(image[..., ::-1]), affine, (size[1], size[0]),
                            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0))
    normalised = (warped.astype(np.float32) / 255.0 - np.array(SCHP_MEAN_BGR, np.float32)) / np.array(
        SCHP_STD_BGR, np.float32)
    return normalised.transpose(2, 0, 1)[None].copy(), affine


def schp_labels(logits: np.ndarray, affine: np.ndarray, size: tuple[int, int], height: int,
                width: int) -> np.ndarray:
    """One image's fusion logits [C, h, w] -> labels [height, width] uint8 on the photo.

    The extractor upsamples the logits to the input size (bilinear, align_corners=True), warps each channel
    back with the inverse affine (bilinear, 0 outside) and takes the argmax. Here both maps are composed
    into one bilinear resampling, which differs from the two only along label boundaries.
    """
    out_h, out_w = size
    # align_corners=True: logit pixel i sits at input pixel i * (size - 1) / (n - 1).
    to_logits = np.diag([(logits.shape[2] - 1) / (out_w - 1), (logits.shape[1] - 1) / (out_h - 1)]) @ affine
    on_photo = cv2.warpAffine(np.ascontiguousarray(logits.transpose(1, 2, 0)), to_logits, (width, height),
                              flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=0)
    return np.asarray(on_photo.reshape(height, width, -1).argmax(axis=2).astype(np.uint8))


class HumanParser:
    """SCHP parsing of a whole photo, in the labels of the spec's dataset (LIP for `schp_lip`)."""

    def __init__(self, client: InferenceClient, spec: ModelSpec = SCHP_LIP) -> None:
        self.client = client
        self.model = spec.name
        self.size = (spec.inputs[0].dims[1], spec.inputs[0].dims[2])

    async def parse(self, image: np.ndarray, *, version: int | None = None,
                    timeout_s: float | None = None) -> np.ndarray:
        """Label map [H, W] uint8 at the image's size."""
        batch, affine = await asyncio.to_thread(schp_input, image, self.size)
        out = await self.client.infer(self.model, {"image": batch}, version, timeout_s=timeout_s)
        return await asyncio.to_thread(schp_labels, out["logits"][0], affine, self.size, image.shape[0], image.shape[1])


# -- cloth segmentation -----------------------------------------------------------------------------


def cloth_segm_input(image: np.ndarray) -> tuple[np.ndarray, tuple[int, int]]:
    """RGB uint8 product photo -> ([1, 3, S, S] in [-1, 1], (top, left) padding of the square).

    infer.py runs at the photo's own size and aspect; the served input is square, so the photo is padded
    to a square with its border pixels (a product photo's plain background) rather than stretched.
    """
    height, width = image.shape[:2]
    side = max(height, width)
    top, left = (side - height) // 2, (side - width) // 2
    square = cv2.copyMakeBorder(image, top, side - height - top, left, side - width - left, cv2.BORDER_REPLICATE)
    small = resize(square, CLOTH_SEGM_SIZE, CLOTH_SEGM_SIZE).astype(np.float32) / 255.0
    return ((small - CLOTH_SEGM_MEAN) / CLOTH_SEGM_STD).transpose(2, 0, 1)[None].copy(), (top, left)


def cloth_segm_mask(logits: np.ndarray, padding: tuple[int, int], height: int, width: int) -> np.ndarray:
    """One image's logits [4, S, S] -> garment mask [height, width] uint8, GARMENT_GREY where any garment class
    wins (a product photo shows one garment, whichever class the model gives it)."""
    side = max(height, width)
    labels = logits.argmax(axis=0).astype(np.uint8)
    square = cv2.resize(labels, (side, side), interpolation=cv2.INTER_NEAREST)
    top, left = padding
    return np.asarray((square[top : top + height, left : left + width] > 0).astype(np.uint8) * GARMENT_GREY)


class ClothMask:
    """The garment's silhouette in a product photo, by the cloth-segmentation U2Net."""

    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def mask(self, image: np.ndarray, *, version: int | None = None,
                   timeout_s: float | None = None) -> np.ndarray:
        """Mask [H, W] uint8 at the image's size: GARMENT_GREY on the garment, 0 elsewhere."""
        batch, padding = await asyncio.to_thread(cloth_segm_input, image)
        out = await self.client.infer(U2NET_CLOTH.name, {"image": batch}, version, timeout_s=timeout_s)
        return await asyncio.to_thread(cloth_segm_mask, out["logits"][0], padding, image.shape[0], image.shape[1])
