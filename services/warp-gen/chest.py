"""The light on a bared neck and upper chest, from the pose: what makes skin repainted above a lower neckline
read as a chest, not one flat patch.

Under a studio's frontal light the chin shades the neck below it, the collarbones catch the light along
their length with a soft shade under them, and the notch between their inner ends is a small hollow. A flat
tone there, even the shopper's own, read as a pale or brown band. The chest faces the camera, so the field
lies in the body's frame (across the shoulders and down from their line), in shares of the shoulder width.
Pure numpy/OpenCV.
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.body import Pose, body_frame

# Shares of the shoulder width, in the body's frame: across from the neck's axis, down from the shoulders' line.
NOTCH = (0.05, 0.07)  # a collarbone's inner end, beside the notch at the neck's base
SHOULDER_END = (0.42, 0.0)  # its outer end, level with the shoulder joints and just inside them
BONE_WIDTH = 0.045  # the lit ridge's spread about the bone
BONE_LIGHT = 0.07  # how much brighter along the bone
UNDER_BONE = 0.1  # the soft shade this far below the bone
UNDER_BONE_SHADE = 0.05
HOLLOW_WIDTH = 0.035  # the notch's hollow at the neck's base
HOLLOW_SHADE = 0.1
NECK_HALF = 0.2  # the neck's half width
CHIN_SHADE = 0.18  # how much darker the neck is just under the chin than at its base
NECK_LENGTH = 0.4  # from the shoulders' line up to the chin
SOFTEN = 0.02  # the blur that keeps the neck's shade from having an edge
GRID_STEP = 4  # px


def chest_light(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """float32 HxW multiplier: the neck shaded under the chin, the collarbones lit with a shade under them and
    the notch between them; 1 elsewhere (below the upper chest, beside the neck)."""
    frame = body_frame(pose)
    width = frame.shoulder_width
    centre = (frame.left_shoulder + frame.right_shoulder) / 2
    # On a grid of GRID_STEP px (the field is smooth), then scaled up.
    small = (max(1, shape[0] // GRID_STEP), max(1, shape[1] // GRID_STEP))
    ys, xs = (np.mgrid[:small[0], :small[1]].astype(np.float32) + 0.5) * GRID_STEP - 0.5
    offset_x, offset_y = xs - float(centre[0]), ys - float(centre[1])
    across = np.abs(offset_x * float(frame.across[0]) + offset_y * float(frame.across[1])) / width
    down = (offset_x * float(frame.down[0]) + offset_y * float(frame.down[1])) / width
    # Distance off each collarbone (mirrored about the neck's axis), and how far along it (0 at the notch).
    start, end = np.array(NOTCH), np.array(SHOULDER_END)
    bone = end - start
    length = float(np.linalg.norm(bone))
    along = np.clip(((across - start[0]) * bone[0] + (down - start[1]) * bone[1]) / length**2, 0.0, 1.0)
    below = (down - (start[1] + along * bone[1])) * bone[0] / length - (across - (start[0] + along * bone[0])) * \
        bone[1] / length  # signed: positive below the bone
    light = 1.0 + BONE_LIGHT * np.exp(-0.5 * (below / BONE_WIDTH) ** 2)
    light -= UNDER_BONE_SHADE * np.exp(-0.5 * ((below - UNDER_BONE) / BONE_WIDTH) ** 2)
    # The ends fade out: beyond the notch the hollow takes over, past the shoulder the arm's own light.
    fade = np.clip(np.minimum(along, 1.0 - along) * 6.0, 0.0, 1.0)
    light = 1.0 + (light - 1.0) * fade
    light -= HOLLOW_SHADE * np.exp(-0.5 * ((across ** 2 + (down - NOTCH[1]) ** 2) / HOLLOW_WIDTH**2))
    neck = (across < NECK_HALF) & (down < 0)
    light = np.where(neck, light - CHIN_SHADE * np.clip(-down / NECK_LENGTH, 0.0, 1.0), light).astype(np.float32)
    light = cv2.GaussianBlur(light, (0, 0), max(0.5, SOFTEN * width / GRID_STEP))
    return np.asarray(cv2.resize(light, (shape[1], shape[0]), interpolation=cv2.INTER_LINEAR), np.float32)
