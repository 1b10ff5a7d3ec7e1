"""The light on a bared belly, from the pose: what makes skin repainted below a crop top's hem read as a midriff,
not a flat block of the skin's tone.

A catalogue shopper's bared midriff shows, under the studio's frontal light, the navel (a small hollow whose upper
rim shades it, its lower rim catching the light) and the soft groove down the middle of the belly above it. Both
lie on the body's axis (the shoulders' midpoint to the hips'), at shares of the torso (shoulders' line to hip
joints') and sizes in shares of the shoulder width, so they hold at any photo size. Anywhere else the light is 1:
the torso's roundness and the old garment's light are `dress.repaint_uncovered`'s. Pure numpy/OpenCV.
"""

from __future__ import annotations

import numpy as np

from fittingroom.common.body import Pose, body_frame

# Of the torso, down from the shoulders' line: the navel (a figure's proportions: three heads down of a 7.5-head
# figure whose shoulders are 1.3 heads down and hip joints 3.9) and where the groove above it starts (the breastbone's
# lower end).
NAVEL_LEVEL = 0.66
GROOVE_TOP = 0.3
# Of the shoulder width: the navel's hollow (its half width and half height as a Gaussian's spread), how far above its
# middle the shade of its upper rim lies, and its lower rim's light below it.
NAVEL_SPREAD = (0.015, 0.024)
RIM_OFFSET = 0.008
LIP_OFFSET = 0.04
LIP_SPREAD = (0.02, 0.01)
NAVEL_SHADE = 0.24
LIP_LIGHT = 0.04
GROOVE_SPREAD = 0.022  # of the shoulder width: the groove's half width
GROOVE_SHADE = 0.045
FADE = 0.08  # of the torso: how far the groove fades in below its top and out above the navel


SPREADS = 4.0  # past this many of its spreads a Gaussian's shade is below a grey level: the field is 1 there


def belly_light(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """float32 HxW multiplier: the navel's hollow and the groove above it on the body's axis, 1 elsewhere."""
    frame = body_frame(pose)
    width = frame.shoulder_width
    top = (frame.left_shoulder + frame.right_shoulder) / 2
    axis = (frame.left_hip + frame.right_hip) / 2 - top
    # The body's own frame: across the shoulders and along the axis (a leaning torso's navel is on its own axis).
    down = axis / max(float(np.linalg.norm(axis)), 1e-6)
    across = np.array([-down[1], down[0]])
    light = np.ones(shape, np.float32)
    # Worked out only round the axis from the groove's top to below the navel's lower rim (the whole photo took 7 ms).
    half = SPREADS * max(GROOVE_SPREAD, LIP_SPREAD[0], NAVEL_SPREAD[0]) * width
    ends = [top + GROOVE_TOP * axis, top + NAVEL_LEVEL * axis + (LIP_OFFSET + SPREADS * LIP_SPREAD[1]) * width * down]
    corners = np.array([end + sign * half * across for end in ends for sign in (-1.0, 1.0)])
    x0, y0 = np.maximum(np.floor(corners.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(corners.max(axis=0)).astype(int) + 1, (shape[1], shape[0]))
    if x0 >= x1 or y0 >= y1:
        return light
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    offset_x, offset_y = xs - float(top[0]), ys - float(top[1])
    sideways = (offset_x * float(across[0]) + offset_y * float(across[1])) / width
    level = (offset_x * float(down[0]) + offset_y * float(down[1])) / frame.torso  # of the torso, down
    below_navel = (level - NAVEL_LEVEL) * frame.torso / width  # of the shoulder width, down from the navel
    spread_x, spread_y = NAVEL_SPREAD
    hollow = np.exp(-0.5 * ((sideways / spread_x) ** 2 + ((below_navel + RIM_OFFSET) / spread_y) ** 2))
    lip = np.exp(-0.5 * ((sideways / LIP_SPREAD[0]) ** 2 + ((below_navel - LIP_OFFSET) / LIP_SPREAD[1]) ** 2))
    # The groove fades in below the breastbone and out just above the navel.
    reach = np.clip(np.minimum(level - GROOVE_TOP, NAVEL_LEVEL - level) / FADE, 0.0, 1.0)
    groove = reach * np.exp(-0.5 * (sideways / GROOVE_SPREAD) ** 2)
    light[y0:y1, x0:x1] = 1.0 - NAVEL_SHADE * hollow + LIP_LIGHT * lip - GROOVE_SHADE * groove
    return light
