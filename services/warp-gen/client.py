"""Stage clients of the try-on generators through any InferenceClient: VITON-HD's three served parts
(segmentation, GMM warp, ALIAS generation) with the glue of the official test.py around them, and DAFlow,
which takes the same agnostic person and pose image at its own size; all in numpy.

VITON-HD was trained on 3:4 studio photos of one person, so the person is framed first: a box of the
canvas's aspect around the person (`PersonFrame`) is cut out of the photo and scaled onto the canvas (the
served size, 512x384 unless exported otherwise). The generated canvas goes back into that box only where
the generator paints by design (the grey agnostic area, the new garment and the arms): everywhere else the
photo keeps its own pixels and resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fittingroom.common.images import resize
from fittingroom.common.inference import InferenceClient, ModelMetadata
from fittingroom.warp_gen.preprocess import (
    LIP_TO_VITONHD_13,
    MASK_THRESHOLD,
    VITONHD_7_LABELS,
    binary_mask,
    fit_size,
    from_signed,
    image_agnostic,
    one_hot,
    parse_agnostic,
    parse_from_scores,
    remap,
    resize_image,
    resize_labels,
    seg_noise,
    to_signed,
)
from fittingroom.warp_gen.spec import (
    DAFLOW,
    SEG_SEMANTIC_NC,
    VITONHD_ALIAS,
    VITONHD_GMM,
    VITONHD_SEG,
    alias_noise_length,
)

FRAME_MARGIN = 0.05  # of the person's height, above and below: VITON-HD's photos leave a little room
BACKDROP = 255  # VITON-HD's person and cloth photos are shot on white; frames reaching past the photo get it
FEATHER_SIGMA = 1.5  # canvas pixels: the pasted area's edge is blended, not cut
UPPER, LEFT_ARM, RIGHT_ARM = (VITONHD_7_LABELS.index(name) for name in ("upper", "left_arm", "right_arm"))


@dataclass(frozen=True)
class PersonFrame:
    """A box of the canvas's aspect in photo pixels (it may reach past the photo) and the canvas size."""

    left: int
    top: int
    width: int
    height: int
    canvas: tuple[int, int]  # (height, width)

    def _overlap(self, shape: tuple[int, ...]) -> tuple[slice, slice, slice, slice]:
        """(photo rows, photo cols, frame rows, frame cols) where the box and a photo of `shape` overlap."""
        x0, y0 = max(self.left, 0), max(self.top, 0)
        x1, y1 = max(min(self.left + self.width, shape[1]), x0), max(min(self.top + self.height, shape[0]), y0)
        return (slice(y0, y1), slice(x0, x1), slice(y0 - self.top, y1 - self.top),
                slice(x0 - self.left, x1 - self.left))

    def image(self, photo: np.ndarray) -> np.ndarray:
        """The box's pixels of an RGB photo scaled onto the canvas, white past the photo.

        Scaled with PIL's bilinear filter, as datasets.py's transforms.Resize brings its photos to the load size.
        """
        cut = np.full((self.height, self.width, 3), BACKDROP, np.uint8)
        rows, cols, frame_rows, frame_cols = self._overlap(photo.shape)
        cut[frame_rows, frame_cols] = photo[rows, cols]
        return resize_image(cut, *self.canvas)

    def labels(self, labels: np.ndarray) -> np.ndarray:
        """The box of a label map on the canvas (nearest), background (0) past the photo."""
        cut = np.zeros((self.height, self.width), labels.dtype)
        rows, cols, frame_rows, frame_cols = self._overlap(labels.shape)
        cut[frame_rows, frame_cols] = labels[rows, cols]
        return resize_labels(cut, *self.canvas)

    def keypoints(self, keypoints: np.ndarray) -> np.ndarray:
        """OpenPose-18 keypoints of the photo in canvas pixels; missing ones stay (0, 0, 0)."""
        moved = keypoints.copy()
        found = (keypoints[:, 0] != 0) | (keypoints[:, 1] != 0)
        moved[found, 0] = (keypoints[found, 0] - self.left) * self.canvas[1] / self.width
        moved[found, 1] = (keypoints[found, 1] - self.top) * self.canvas[0] / self.height
        return moved

    def paste(self, photo: np.ndarray, generated: np.ndarray, alpha: np.ndarray) -> np.ndarray:
        """The photo with the generated canvas blended into the box by `alpha` ([H, W] in [0, 1] on the canvas)."""
        big = resize(generated, self.width, self.height).astype(np.float32)
        weight = resize(alpha.astype(np.float32), self.width, self.height)[..., None]
        rows, cols, frame_rows, frame_cols = self._overlap(photo.shape)
        out = photo.copy()
        w = weight[frame_rows, frame_cols]
        out[rows, cols] = np.rint(photo[rows, cols] * (1 - w) + big[frame_rows, frame_cols] * w).astype(np.uint8)
        return out


def person_frame(box: tuple[int, int, int, int], canvas: tuple[int, int], centre_x: float | None = None) -> PersonFrame:
    """A box of the canvas's aspect as tall as the person's box (x0, y0, x1, y1) plus FRAME_MARGIN, centred on
    `centre_x` (default: the box's centre).

    The height decides, as in VITON-HD's photos where the person fills the frame from top to bottom: a wide
    box (a half-body shot, a bag held out) loses its sides rather than shrinking the person on the canvas.
    """
    x0, y0, x1, y1 = box
    canvas_h, canvas_w = canvas
    height = (y1 - y0) * (1 + 2 * FRAME_MARGIN)
    width = height * canvas_w / canvas_h
    centre = (x0 + x1) / 2 if centre_x is None else centre_x
    return PersonFrame(round(centre - width / 2), round((y0 + y1 - height) / 2), max(round(width), 1),
                       max(round(height), 1), canvas)


def place_garment(garment: np.ndarray, mask: np.ndarray, canvas: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The product photo (RGB) and its grey-level mask centred on the canvas, aspect kept, on white / 0: the photo
    scaled with PIL's bilinear filter, the mask with nearest, as datasets.py resizes cloth and cloth mask."""
    fit = fit_size(garment.shape[0], garment.shape[1], *canvas)
    cloth = np.full((*canvas, 3), BACKDROP, np.uint8)
    fit.crop(cloth)[...] = resize_image(garment, fit.height, fit.width)
    placed = np.zeros(canvas, np.uint8)
    fit.crop(placed)[...] = resize_labels(mask, fit.height, fit.width)
    return cloth, placed


@dataclass(frozen=True)
class VitonHDInputs:
    """test.py's tensors for one person and one garment on the canvas, each with a batch of one."""

    agnostic: np.ndarray  # [1, 3, H, W] in [-1, 1]: the person with garment, arms and neck painted grey
    pose: np.ndarray  # [1, 3, H, W] in [-1, 1]: the OpenPose skeleton image
    parse_agnostic: np.ndarray  # [1, 13, H, W] one-hot: the person's parse without the garment
    cloth: np.ndarray  # [1, 3, H, W] in [-1, 1]
    cloth_mask: np.ndarray  # [1, 1, H, W] of 0/1
    grey: np.ndarray  # [H, W] bool: where `agnostic` is painted grey (not a network input)


def vitonhd_inputs(person: np.ndarray, labels: np.ndarray, keypoints: np.ndarray, pose_image: np.ndarray,
                   cloth: np.ndarray, cloth_mask: np.ndarray) -> VitonHDInputs:
    """Encode canvas-sized arrays as VITON-HD's datasets.py does: the person (RGB), its LIP labels, its
    OpenPose-18 keypoints and skeleton image, the cloth (RGB) and its grey-level mask."""
    agnostic = image_agnostic(person, labels, keypoints)
    parse = remap(parse_agnostic(labels, keypoints), LIP_TO_VITONHD_13)
    return VitonHDInputs(
        agnostic=to_signed(agnostic)[None], pose=to_signed(pose_image)[None],
        parse_agnostic=one_hot(parse, SEG_SEMANTIC_NC)[None], cloth=to_signed(cloth)[None],
        cloth_mask=binary_mask(cloth_mask)[None], grey=np.any(agnostic != person, axis=2))


def paste_alpha(inputs: VitonHDInputs, parse: np.ndarray) -> np.ndarray:
    """Where the generator paints by design, feathered ([H, W] float32 in [0, 1]): the grey agnostic area and
    the predicted garment and arms. Elsewhere its output only re-draws the photo, at a lower resolution."""
    return _feathered(inputs.grey | (parse[0, [UPPER, LEFT_ARM, RIGHT_ARM]].max(axis=0) > 0))


def agnostic_canvas(metadata: ModelMetadata) -> tuple[int, int]:
    """(height, width) of a generator's `agnostic` input, as served: the size the model was exported at
    (VITON-HD: 512x384, or what TRYON_VTON_SIZE exported; DAFlow: 256x192, its checkpoint's size)."""
    dims = next(t.dims for t in metadata.inputs if t.name == "agnostic")
    return dims[1], dims[2]


@dataclass(frozen=True)
class VitonHDNoise:
    """The random inputs of one VITON-HD try-on, all drawn from `seed`: the seed reproduces the image."""

    seed: int
    alias_noise: bool  # the ALIAS generator's per-pixel noise on (the official inference path) or off
    segmentation: np.ndarray  # [1, 1, 256, 192]: the segmentation generator's noise channel (utils.gen_noise)
    alias: np.ndarray  # [1, L]: standard-normal draws of ALIAS's per-pixel noise; zeros when off


def vitonhd_noise(seed: int, canvas: tuple[int, int], *, alias_noise: bool = True) -> VitonHDNoise:
    """Both noises of a try-on on `canvas` (height, width) from numpy's generator seeded with `seed`.

    The segmentation noise is drawn first and is the same with the ALIAS noise on or off: turning it off
    changes only what the official generator adds at every normalisation.
    """
    rng = np.random.default_rng(seed)
    segmentation = seg_noise(rng)[None]
    shape = (1, alias_noise_length(*canvas))
    alias = rng.standard_normal(shape, dtype=np.float32) if alias_noise else np.zeros(shape, np.float32)
    return VitonHDNoise(seed, alias_noise, segmentation, alias)


class VitonHD:
    """The three VITON-HD models, called in test.py's order: `segment` → `warp` → `generate`."""

    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def segment(self, inputs: VitonHDInputs, noise: VitonHDNoise, *, version: int | None = None,
                      timeout_s: float | None = None) -> np.ndarray:
        """The parse of the person wearing the garment: 7-group one-hot [1, 7, H, W]."""
        out = await self.client.infer(VITONHD_SEG.name, {
            "cloth": inputs.cloth, "cloth_mask": inputs.cloth_mask, "parse_agnostic": inputs.parse_agnostic,
            "pose": inputs.pose, "noise": noise.segmentation}, version, timeout_s=timeout_s)
        return parse_from_scores(out["parse_scores"][0])[None]

    async def warp(self, inputs: VitonHDInputs, parse: np.ndarray, *, version: int | None = None,
                   timeout_s: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The cloth and its mask warped onto the predicted garment area ([1, 3, H, W], [1, 1, H, W])."""
        out = await self.client.infer(VITONHD_GMM.name, {
            "cloth_parse": parse[:, UPPER : UPPER + 1], "pose": inputs.pose, "agnostic": inputs.agnostic,
            "cloth": inputs.cloth, "cloth_mask": inputs.cloth_mask}, version, timeout_s=timeout_s)
        return out["warped_cloth"], out["warped_cloth_mask"]

    async def generate(self, inputs: VitonHDInputs, parse: np.ndarray, warped: tuple[np.ndarray, np.ndarray],
                       noise: VitonHDNoise, *, version: int | None = None,
                       timeout_s: float | None = None) -> np.ndarray:
        """The try-on image on the canvas, RGB uint8 [H, W, 3]."""
        cloth, mask = warped
        out = await self.client.infer(VITONHD_ALIAS.name, {
            "agnostic": inputs.agnostic, "pose": inputs.pose, "warped_cloth": cloth, "parse": parse,
            "warped_cloth_mask": mask, "noise": noise.alias}, version, timeout_s=timeout_s)
        return from_signed(out["image"][0])


def white_backdrop(cloth: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The cloth (RGB uint8) on white outside its grey-level mask: DAFlow reads the cloth photo alone, and the
    VITON photos it learnt from show every garment on white."""
    return np.where((mask >= MASK_THRESHOLD)[..., None], cloth, np.uint8(BACKDROP))


def daflow_alpha(inputs: VitonHDInputs) -> np.ndarray:
    """Where DAFlow paints by design, feathered ([H, W] float32 in [0, 1]): the grey agnostic area, which holds
    the old garment, the arms and the neck (it predicts no parse to say more)."""
    return _feathered(inputs.grey)


def _feathered(painted: np.ndarray) -> np.ndarray:
    """A bool mask as paste weights whose edge is blended over FEATHER_SIGMA canvas pixels, not cut."""
    return np.asarray(cv2.GaussianBlur(painted.astype(np.float32), (0, 0), FEATHER_SIGMA))


class DAFlow:
    """DAFlow's single network on the same agnostic person and pose image as VITON-HD, at its own canvas."""

    def __init__(self, client: InferenceClient) -> None:
        self.client = client

    async def generate(self, inputs: VitonHDInputs, *, version: int | None = None,
                       timeout_s: float | None = None) -> np.ndarray:
        """The try-on image on the canvas, RGB uint8 [H, W, 3]."""
        out = await self.client.infer(DAFLOW.name, {"pose": inputs.pose, "agnostic": inputs.agnostic,
                                                    "cloth": inputs.cloth}, version, timeout_s=timeout_s)
        return from_signed(out["image"][0])
