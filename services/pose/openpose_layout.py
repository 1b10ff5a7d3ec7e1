"""The 18-keypoint OpenPose (COCO) layout that VITON-family inputs are drawn from, in numpy only.

`blazepose_to_openpose18` turns our BlazePose landmarks into that layout (the neck is the midpoint of
the shoulders, which BlazePose lacks); `render_pose` draws the skeleton image the try-on networks take
(DAFlow's draw_keypoints.py, the PyTorch OpenPose demo's drawing). Keypoints are [18, 3] float32 rows
(x, y, confidence) in image pixels; a missing keypoint is (0, 0, 0), the OpenPose convention the official
scripts test for.
"""

from __future__ import annotations

import numpy as np

from fittingroom.common import landmarks as bp

BODY_KEYPOINTS = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
    "left_wrist", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear",
)  # fmt: skip
NUM_KEYPOINTS = len(BODY_KEYPOINTS)
NOSE, NECK, R_SHOULDER, R_ELBOW, R_WRIST, L_SHOULDER, L_ELBOW, L_WRIST = range(8)
R_HIP, R_KNEE, R_ANKLE, L_HIP, L_KNEE, L_ANKLE, R_EYE, L_EYE, R_EAR, L_EAR = range(8, 18)

# BlazePose index of each OpenPose keypoint; the neck (None) is derived from both shoulders.
BP_RIGHT_EYE, BP_LEFT_EYE, BP_LEFT_EAR, BP_RIGHT_EAR = 5, 2, 7, 8
FROM_BLAZEPOSE: tuple[int | None, ...] = (
    bp.NOSE, None, bp.RIGHT_SHOULDER, bp.RIGHT_ELBOW, bp.RIGHT_WRIST, bp.LEFT_SHOULDER, bp.LEFT_ELBOW,
    bp.LEFT_WRIST, bp.RIGHT_HIP, bp.RIGHT_KNEE, bp.RIGHT_ANKLE, bp.LEFT_HIP, bp.LEFT_KNEE, bp.LEFT_ANKLE,
    BP_RIGHT_EYE, BP_LEFT_EYE, BP_RIGHT_EAR, BP_LEFT_EAR,
)  # fmt: skip

# Limbs as drawn by the OpenPose demo (1-based keypoint pairs in its code); only the first 17 are drawn.
LIMBS = (
    (NECK, R_SHOULDER), (NECK, L_SHOULDER), (R_SHOULDER, R_ELBOW), (R_ELBOW, R_WRIST), (L_SHOULDER, L_ELBOW),
    (L_ELBOW, L_WRIST), (NECK, R_HIP), (R_HIP, R_KNEE), (R_KNEE, R_ANKLE), (NECK, L_HIP), (L_HIP, L_KNEE),
    (L_KNEE, L_ANKLE), (NECK, NOSE), (NOSE, R_EYE), (R_EYE, R_EAR), (NOSE, L_EYE), (L_EYE, L_EAR),
)  # fmt: skip
# The demo's palette, one colour per keypoint and per limb, as RGB (it lists them in BGR for cv2).
COLORS_RGB = tuple(
    (r, g, b) for b, g, r in (
        (255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
        (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255),
        (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85),
    )
)  # fmt: skip
STICK_WIDTH = 4  # half-width of a limb ellipse, pixels
JOINT_RADIUS = 4
LIMB_ALPHA = 0.6  # each limb is blended over what is drawn so far
MIN_CONFIDENCE = 0.01  # the demo skips points at or below this confidence


def blazepose_to_openpose18(points: np.ndarray, visibility: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """BlazePose [33, 2] pixels + visibility [33] -> OpenPose [18, 3] (x, y, confidence).

    A keypoint whose visibility is below `threshold` is missing (0, 0, 0); the neck exists when both
    shoulders do, at their midpoint, with the smaller of their visibilities.
    """
    keypoints = np.zeros((NUM_KEYPOINTS, 3), np.float32)
    for index, source in enumerate(FROM_BLAZEPOSE):
        if source is not None and visibility[source] >= threshold:
            keypoints[index] = (*points[source], visibility[source])
    shoulders = keypoints[[R_SHOULDER, L_SHOULDER]]
    if (shoulders[:, 2] > 0).all():
        keypoints[NECK] = (*shoulders[:, :2].mean(0), shoulders[:, 2].min())
    return keypoints


def present(keypoints: np.ndarray, index: int) -> bool:
    """False for OpenPose's missing marker (0, 0)."""
    return bool(keypoints[index, 0] != 0 or keypoints[index, 1] != 0)


def _pixel_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates (x [1, W], y [H, 1]) for broadcasting."""
    return np.arange(width, dtype=np.float64)[None], np.arange(height, dtype=np.float64)[:, None]


def _limb_mask(height: int, width: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The demo's filled limb ellipse: centre at the midpoint, half-axes (length / 2, STICK_WIDTH)."""
    xs, ys = _pixel_grid(height, width)
    # cv2.ellipse2Poly takes integer centre, axes and angle: truncate like the demo's int() calls.
    cx, cy = int((a[0] + b[0]) / 2), int((a[1] + b[1]) / 2)
    half_length = max(int(np.hypot(*(a - b)) / 2), 1)
    angle = np.radians(int(np.degrees(np.arctan2(a[1] - b[1], a[0] - b[0]))))
    u = (xs - cx) * np.cos(angle) + (ys - cy) * np.sin(angle)
    v = -(xs - cx) * np.sin(angle) + (ys - cy) * np.cos(angle)
    return np.asarray((u / half_length) ** 2 + (v / STICK_WIDTH) ** 2 <= 1.0)


def render_pose(keypoints: np.ndarray, height: int, width: int) -> np.ndarray:
    """The skeleton image [H, W, 3] uint8 RGB on black: joint discs, then alpha-blended limb ellipses."""
    canvas = np.zeros((height, width, 3), np.float64)
    xs, ys = _pixel_grid(height, width)
    visible = keypoints[:, 2] > MIN_CONFIDENCE
    for joint in np.flatnonzero(visible):
        x, y = int(keypoints[joint, 0]), int(keypoints[joint, 1])
        canvas[(xs - x) ** 2 + (ys - y) ** 2 <= JOINT_RADIUS**2] = COLORS_RGB[joint]
    for index, (i, j) in enumerate(LIMBS):
        if not (visible[i] and visible[j]):
            continue
        inside = _limb_mask(height, width, keypoints[i, :2], keypoints[j, :2])
        # cv2.addWeighted rounds to uint8 after every limb.
        canvas[inside] = np.rint((1 - LIMB_ALPHA) * canvas[inside] + LIMB_ALPHA * np.array(COLORS_RGB[index]))
    return canvas.astype(np.uint8)
