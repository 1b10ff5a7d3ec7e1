"""What the VITON-HD and DAFlow inference scripts do to their inputs, in numpy only.

Label remaps (LIP 20 -> VITON-HD 13 -> 7 groups), the cloth-agnostic parse map and person image
(VITON-HD datasets.py: the garment, arms and neck removed using the parsing and the pose), image
encodings, the segmentation generator's noise, and resizing with the aspect ratio kept. Keypoints are
OpenPose-18 rows (x, y, confidence), missing ones (0, 0, 0); see fittingroom.pose.openpose_layout.
The drawing radii of the official code are in pixels of a 768-wide image and are scaled to ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# OpenPose-18 indices (fittingroom.pose.openpose_layout); VITON-HD indexes BODY_25, whose hips are 9 and 12.
NECK, R_SHOULDER, R_ELBOW, R_WRIST, L_SHOULDER, L_ELBOW, L_WRIST = 1, 2, 3, 4, 5, 6, 7
R_HIP, L_HIP = 8, 11

# LIP labels as VITON-HD's parse maps use them. Its parser's label 10 is the neck (LIP's "Jumpsuits"):
# SCHP-LIP output at 10 is treated the same way, removed from the agnostic map and mapped to background.
BACKGROUND, HAT, HAIR, GLOVE, SUNGLASSES, UPPER_CLOTHES, DRESS, COAT, SOCKS, PANTS = range(10)
NECK_LABEL, SCARF, SKIRT, FACE, LEFT_ARM, RIGHT_ARM, LEFT_LEG, RIGHT_LEG, LEFT_SHOE, RIGHT_SHOE = range(10, 20)
NUM_LIP_LABELS = 20

# datasets.py: 13 classes the segmentation generator sees, each a union of LIP labels.
VITONHD_13_LABELS = ("background", "hair", "face", "upper", "bottom", "left_arm", "right_arm", "left_leg",
                     "right_leg", "left_shoe", "right_shoe", "socks", "noise")
LIP_TO_VITONHD_13 = np.array([0, 1, 1, 12, 2, 3, 3, 3, 11, 4, 0, 12, 4, 2, 5, 6, 7, 8, 9, 10], np.int64)
# test.py: 7 groups conditioning the generator; "paste" are the regions copied from the person.
VITONHD_7_LABELS = ("background", "paste", "upper", "hair", "left_arm", "right_arm", "noise")
VITONHD_13_TO_7 = np.array([0, 3, 1, 2, 1, 4, 5, 1, 1, 1, 1, 1, 6], np.int64)

OFFICIAL_WIDTH = 768  # the drawing radii below are pixels at this width
PARSE_RADIUS = 10  # get_parse_agnostic's r
IMAGE_RADIUS = 20  # get_img_agnostic's r
AGNOSTIC_GREY = 128  # PIL's 'gray'
MASK_THRESHOLD = 128  # cloth masks are binarised at this grey level
SEG_NOISE_SIZE = (256, 192)


# -- labels and encodings ---------------------------------------------------------------------------


def remap(labels: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Relabel an integer map through a lookup table (table[old] = new)."""
    return np.asarray(table[labels])


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """[H, W] integer labels -> [C, H, W] float32 one-hot."""
    return (labels[None] == np.arange(num_classes)[:, None, None]).astype(np.float32)


def parse_from_scores(scores: np.ndarray) -> np.ndarray:
    """vitonhd_seg's [13, H, W] scores -> the 7-group one-hot parse [7, H, W] (argmax, then grouping)."""
    return one_hot(remap(np.argmax(scores, axis=0), VITONHD_13_TO_7), len(VITONHD_7_LABELS))


def to_signed(image: np.ndarray) -> np.ndarray:
    """RGB uint8 [H, W, 3] -> float32 [3, H, W] in [-1, 1] (ToTensor then Normalize(0.5, 0.5))."""
    return (image.astype(np.float32).transpose(2, 0, 1) / 255.0 - 0.5) / 0.5


def from_signed(image: np.ndarray) -> np.ndarray:
    """float [3, H, W] in [-1, 1] -> RGB uint8 [H, W, 3] (clipped, rounded)."""
    return np.asarray(np.clip((image.transpose(1, 2, 0) + 1) * 127.5 + 0.5, 0, 255).astype(np.uint8))


def binary_mask(mask: np.ndarray) -> np.ndarray:
    """A grey-level mask -> float32 [1, H, W] of 0/1 (datasets.py: >= 128)."""
    return (mask >= MASK_THRESHOLD).astype(np.float32)[None]


def seg_noise(rng: np.random.Generator, size: tuple[int, int] = SEG_NOISE_SIZE) -> np.ndarray:
    """The segmentation generator's noise channel [1, H, W] as utils.gen_noise makes it.

    gen_noise draws N(0, 255) into uint8 (saturating), divides by 255 and truncates to uint8 again:
    a pixel is 1 exactly when the draw rounds to 255, else 0.
    """
    return (rng.standard_normal(size) * 255.0 >= 254.5).astype(np.float32)[None]


# -- resizing ---------------------------------------------------------------------------------------


def _bilinear_weights(size_in: int, size_out: int) -> np.ndarray:
    """[out, in] resampling matrix of PIL's BILINEAR: a triangle filter widened when shrinking."""
    scale = size_in / size_out
    support = max(scale, 1.0)
    centres = (np.arange(size_out) + 0.5) * scale
    taps = np.arange(size_in) + 0.5
    weights = np.clip(1.0 - np.abs(taps[None] - centres[:, None]) / support, 0.0, None)
    return weights / weights.sum(1, keepdims=True)


def resize_image(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Antialiased bilinear resize of [H, W] or [H, W, C] (uint8 stays uint8), like PIL's."""
    rows = _bilinear_weights(image.shape[0], height)
    cols = _bilinear_weights(image.shape[1], width)
    # Separable: rows first ([height, W, ...]), then columns, moved back into place.
    out = np.moveaxis(np.tensordot(cols, np.tensordot(rows, image.astype(np.float64), axes=(1, 0)), axes=(1, 1)), 0, 1)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8) if image.dtype == np.uint8 else out.astype(image.dtype)


def resize_labels(labels: np.ndarray, height: int, width: int) -> np.ndarray:
    """Nearest-neighbour resize of a label map (PIL's NEAREST: the source pixel under each centre)."""
    ys = np.minimum(((np.arange(height) + 0.5) * labels.shape[0] / height).astype(np.int64), labels.shape[0] - 1)
    xs = np.minimum(((np.arange(width) + 0.5) * labels.shape[1] / width).astype(np.int64), labels.shape[1] - 1)
    return np.asarray(labels[ys[:, None], xs[None]])


@dataclass(frozen=True)
class Fit:
    """Where a resized image sits on the canvas: canvas = image * scale + (left, top)."""

    scale: float
    left: int
    top: int
    height: int  # of the resized image on the canvas
    width: int

    def keypoints(self, keypoints: np.ndarray) -> np.ndarray:
        """OpenPose keypoints of the original image in canvas pixels (missing ones stay (0, 0, 0))."""
        moved = keypoints.copy()
        found = (keypoints[:, 0] != 0) | (keypoints[:, 1] != 0)
        moved[found, 0] = keypoints[found, 0] * self.scale + self.left
        moved[found, 1] = keypoints[found, 1] * self.scale + self.top
        return moved

    def crop(self, canvas: np.ndarray) -> np.ndarray:
        """The part of a canvas-sized [H, W, ...] array that the image covers."""
        return canvas[self.top : self.top + self.height, self.left : self.left + self.width]


def fit_size(image_height: int, image_width: int, height: int, width: int) -> Fit:
    """Scale to fit inside height x width with the aspect kept, centred."""
    scale = min(height / image_height, width / image_width)
    h, w = max(round(image_height * scale), 1), max(round(image_width * scale), 1)
    return Fit(scale, (width - w) // 2, (height - h) // 2, h, w)


def fit_image(image: np.ndarray, height: int, width: int, fill: int | tuple[int, ...] = 0,
              *, labels: bool = False) -> tuple[np.ndarray, Fit]:
    """Resize with the aspect kept onto a height x width canvas filled with `fill` (labels: nearest)."""
    fit = fit_size(image.shape[0], image.shape[1], height, width)
    resized = resize_labels(image, fit.height, fit.width) if labels else resize_image(image, fit.height, fit.width)
    canvas = np.empty((height, width, *image.shape[2:]), image.dtype)
    canvas[...] = fill
    canvas[fit.top : fit.top + fit.height, fit.left : fit.left + fit.width] = resized
    return canvas, fit


# -- drawing (PIL ImageDraw's shapes, to within a pixel) --------------------------------------------


def _grid(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (x [1, W], y [H, 1])."""
    return np.arange(shape[1], dtype=np.float64)[None], np.arange(shape[0], dtype=np.float64)[:, None]


def draw_line(mask: np.ndarray, a: np.ndarray, b: np.ndarray, width: float) -> None:
    """A `width`-thick segment with square ends (ImageDraw.line)."""
    xs, ys = _grid(mask.shape)
    d = b - a
    length_sq = float(d @ d)
    if length_sq == 0:
        return
    t = ((xs - a[0]) * d[0] + (ys - a[1]) * d[1]) / length_sq
    distance = np.abs((xs - a[0]) * d[1] - (ys - a[1]) * d[0]) / np.sqrt(length_sq)
    mask |= (t >= 0) & (t <= 1) & (distance <= width / 2)


def draw_ellipse(mask: np.ndarray, centre: np.ndarray, rx: float, ry: float) -> None:
    """The filled ellipse inscribed in (cx - rx, cy - ry, cx + rx, cy + ry) (ImageDraw.ellipse)."""
    xs, ys = _grid(mask.shape)
    mask |= ((xs - centre[0]) / rx) ** 2 + ((ys - centre[1]) / ry) ** 2 <= 1.0


def draw_rectangle(mask: np.ndarray, centre: np.ndarray, half: float) -> None:
    """The filled square (cx - half, cy - half, cx + half, cy + half) (ImageDraw.rectangle)."""
    xs, ys = _grid(mask.shape)
    mask |= (np.abs(xs - centre[0]) <= half) & (np.abs(ys - centre[1]) <= half)


def draw_polygon(mask: np.ndarray, points: np.ndarray) -> None:
    """A filled polygon, even-odd rule on pixel centres (ImageDraw.polygon)."""
    xs, ys = _grid(mask.shape)
    inside = np.zeros(mask.shape, bool)
    for (x0, y0), (x1, y1) in zip(points, np.roll(points, -1, axis=0), strict=True):
        if y0 == y1:
            continue
        crosses = (ys >= min(y0, y1)) & (ys < max(y0, y1))
        x_at = x0 + (ys - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (xs < x_at)
    mask |= inside


def _present(keypoints: np.ndarray, *indices: int) -> bool:
    """All named keypoints are there (OpenPose marks a missing one (0, 0))."""
    return all(keypoints[i, 0] != 0 or keypoints[i, 1] != 0 for i in indices)


# -- cloth-agnostic inputs (VITON-HD datasets.py) ---------------------------------------------------


def parse_agnostic(parse: np.ndarray, keypoints: np.ndarray) -> np.ndarray:
    """The LIP parse map [H, W] with the garment, the neck and the arms under the sleeves removed.

    Arms are cleared only inside thick strokes along shoulder-elbow-wrist (so hands and bare forearms
    far from the sleeve stay); upper clothes, dress, coat and neck become background.
    """
    r = PARSE_RADIUS * parse.shape[1] / OFFICIAL_WIDTH
    agnostic = parse.copy()
    for label, chain in ((LEFT_ARM, (R_SHOULDER, L_SHOULDER, L_ELBOW, L_WRIST)),
                         (RIGHT_ARM, (L_SHOULDER, R_SHOULDER, R_ELBOW, R_WRIST))):
        stroke = np.zeros(parse.shape, bool)
        previous = chain[0]
        for joint in chain[1:]:
            if not _present(keypoints, previous, joint):
                continue  # as the original: the chain resumes from the last joint drawn
            draw_line(stroke, keypoints[previous, :2], keypoints[joint, :2], r * 10)
            radius = r * 4 if joint == chain[-1] else r * 15
            draw_ellipse(stroke, keypoints[joint, :2], radius, radius)
            previous = joint
        agnostic[stroke & (parse == label)] = BACKGROUND
    agnostic[np.isin(parse, (UPPER_CLOTHES, DRESS, COAT, NECK_LABEL))] = BACKGROUND
    return agnostic


def torso_points(keypoints: np.ndarray) -> np.ndarray:
    """Keypoints with the hips moved apart to the shoulder width (get_img_agnostic's torso box)."""
    points = keypoints[:, :2].astype(np.float64)
    if not _present(keypoints, R_SHOULDER, L_SHOULDER, R_HIP, L_HIP):
        return points
    shoulder_width = np.linalg.norm(points[L_SHOULDER] - points[R_SHOULDER])
    hip_width = np.linalg.norm(points[L_HIP] - points[R_HIP])
    if hip_width > 0:
        middle = (points[R_HIP] + points[L_HIP]) / 2
        for hip in (R_HIP, L_HIP):
            points[hip] = middle + (points[hip] - middle) / hip_width * shoulder_width
    return points


def agnostic_region(shape: tuple[int, int], keypoints: np.ndarray) -> np.ndarray:
    """Where get_img_agnostic paints grey: shoulders, arms, torso and neck, from the pose alone."""
    r = IMAGE_RADIUS * shape[1] / OFFICIAL_WIDTH
    points = torso_points(keypoints)
    region = np.zeros(shape, bool)
    if _present(keypoints, R_SHOULDER, L_SHOULDER):
        draw_line(region, points[R_SHOULDER], points[L_SHOULDER], r * 10)
    for joint in (R_SHOULDER, L_SHOULDER):
        if _present(keypoints, joint):
            draw_ellipse(region, points[joint], r * 5, r * 5)
    for joint in (R_ELBOW, R_WRIST, L_ELBOW, L_WRIST):
        if _present(keypoints, joint - 1, joint):
            draw_line(region, points[joint - 1], points[joint], r * 10)
            draw_ellipse(region, points[joint], r * 5, r * 5)
    for hip in (R_HIP, L_HIP):
        if _present(keypoints, hip):
            draw_ellipse(region, points[hip], r * 3, r * 6)
    # The official code draws these even when a joint is missing (to (0, 0)); we leave them out.
    for a, b, width in ((R_SHOULDER, R_HIP, 6), (L_SHOULDER, L_HIP, 6), (R_HIP, L_HIP, 12)):
        if _present(keypoints, a, b):
            draw_line(region, points[a], points[b], r * width)
    if _present(keypoints, R_SHOULDER, L_SHOULDER, L_HIP, R_HIP):
        draw_polygon(region, points[[R_SHOULDER, L_SHOULDER, L_HIP, R_HIP]])
    if _present(keypoints, NECK):
        draw_rectangle(region, points[NECK], r * 7)
    return region


def image_agnostic(image: np.ndarray, parse: np.ndarray, keypoints: np.ndarray) -> np.ndarray:
    """The person image [H, W, 3] uint8 with the garment area painted grey; head and lower body kept."""
    agnostic = image.copy()
    agnostic[agnostic_region(parse.shape, keypoints)] = AGNOSTIC_GREY
    keep = np.isin(parse, (SUNGLASSES, FACE, PANTS, SKIRT, LEFT_LEG, RIGHT_LEG, LEFT_SHOE, RIGHT_SHOE))
    agnostic[keep] = image[keep]
    return agnostic
