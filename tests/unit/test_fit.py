"""Fitting a strappy top: its straps go on the shoulders' tops, not on the padded corner a shirt's shoulder
reaches; a strapless one's top edge goes across the chest. Synthetic silhouettes and landmarks, drawn here."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose, body_frame, hem_line
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.warp_gen.fit import (
    LENGTH_SPAN,
    SEAM_WIDTH,
    STRAP_INSET,
    STRAPLESS_DROP,
    fit_garment,
    hangs_from_straps,
    strapless,
)

# Both garments: shoulder landmarks at (60, 40) and (240, 40), hem corners at (50, 280) and (250, 280).
MARKS = GarmentLandmarks(Category.UPPER, neck=(150, 100), left_shoulder=(240, 40), right_shoulder=(60, 40),
                         left_hem=(250, 280), right_hem=(50, 280))


def _camisole() -> np.ndarray:
    """A bodice from y 100 down, hung from two 6-px straps whose tops are the shoulder landmarks."""
    mask = np.zeros((300, 300), np.uint8)
    cv2.rectangle(mask, (50, 100), (250, 280), 1, -1)
    cv2.line(mask, (60, 40), (55, 100), 1, 6)
    cv2.line(mask, (240, 40), (245, 100), 1, 6)
    return mask


def _sleeveless_shirt() -> np.ndarray:
    """Broad shoulders sloping down from the same landmarks to the same hem."""
    mask = np.zeros((300, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([(60, 40), (120, 30), (180, 30), (240, 40), (250, 280), (50, 280)], np.int32)], 1)
    return mask


def _tank() -> np.ndarray:
    """Broad straps (30 px) whose outer tops are the shoulder landmarks, over a chest far broader than their span
    (260 px for 180): a tank top, its armholes cut in below the straps."""
    mask = np.zeros((300, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([(60, 40), (90, 40), (150, 90), (210, 40), (240, 40), (250, 100), (280, 120),
                                  (280, 280), (20, 280), (20, 120), (50, 100)], np.int32)], 1)
    return mask


def _tube(dip: int = 0) -> np.ndarray:
    """A tube top: its top edge straight across between the shoulder landmarks (or dipping `dip` px at the middle,
    a curved or a sweetheart's V), its sides straight down to the hem."""
    mask = np.zeros((300, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([(50, 40), (150, 40 + dip), (250, 40), (250, 280), (50, 280)], np.int32)], 1)
    return mask


def _pose() -> Pose:
    """Legs straight down from the hips."""
    return frontal_pose({lm.LEFT_KNEE: (180, 310), lm.RIGHT_KNEE: (120, 310), lm.LEFT_ANKLE: (180, 385),
                         lm.RIGHT_ANKLE: (120, 385)})


def test_straps_are_told_from_a_shirt_s_broad_shoulders() -> None:
    assert hangs_from_straps(_camisole(), MARKS)
    assert not hangs_from_straps(_sleeveless_shirt(), MARKS)
    assert hangs_from_straps(_tank(), MARKS)  # broad straps, inset over a broader chest
    sleeved = GarmentLandmarks(**{**MARKS.__dict__, "left_armpit": (240, 100), "right_armpit": (60, 100)})
    assert not hangs_from_straps(_camisole(), sleeved)  # a sleeved garment's shoulder is its seam


def test_a_strapless_top_is_told_from_a_sleeveless_shirt_by_its_straight_top_edge() -> None:
    assert strapless(_tube(), MARKS)
    assert strapless(_tube(dip=15), MARKS)  # a curved top edge
    assert not strapless(_sleeveless_shirt(), MARKS)  # its shoulders rise 10 px over a 180-px span to the neckline
    sleeved = GarmentLandmarks(**{**MARKS.__dict__, "left_armpit": (240, 100), "right_armpit": (60, 100)})
    assert not strapless(_tube(), sleeved)


def _targets(silhouette: np.ndarray) -> dict[str, np.ndarray]:
    fit = fit_garment(MARKS, _pose(), Category.UPPER, silhouette)
    return dict(zip(fit.names, fit.target, strict=True))


def test_straps_go_on_the_shoulders_tops_inside_the_joints() -> None:
    strapped, shirt = _targets(_camisole()), _targets(_sleeveless_shirt())
    left_joint, right_joint = 195.0, 105.0
    assert right_joint < strapped["right_shoulder"][0] < strapped["left_shoulder"][0] < left_joint
    assert strapped["left_shoulder"][1] < 110.0  # on top of the shoulder, above the joints' line
    assert shirt["left_shoulder"][0] > left_joint and shirt["right_shoulder"][0] < right_joint  # padded corners
    # Each hem lies its garment's own length below its shoulders, in the body's measure of that garment's
    # shoulder span: straps sit closer together than a shirt's shoulders, so the same photo is a shorter top.
    length = 240 / 180  # shoulder-to-hem over shoulder span, on the photo
    for targets, span in ((strapped, 1 - 2 * STRAP_INSET), (shirt, LENGTH_SPAN)):
        drop = targets["left_hem"][1] - targets["left_shoulder"][1]
        assert abs(drop - length * span * 90.0) < 0.5


def test_a_strapless_top_s_edge_goes_across_the_chest_inside_the_joints() -> None:
    """Its top corners go STRAPLESS_DROP of the torso below the shoulder joints' line, inside the joints' padded
    corners (at the torso's sides by the arms), not on the shoulders a sleeveless shirt's corners go on; its hem
    its own length below them in the span between them."""
    tube, shirt = _targets(_tube()), _targets(_sleeveless_shirt())
    left_joint, right_joint = 195.0, 105.0
    seam = (SEAM_WIDTH - 1) / 2 * 90.0
    frame = body_frame(_pose())
    for name in ("left_shoulder", "right_shoulder"):
        assert abs(tube[name][1] - (110.0 + STRAPLESS_DROP * frame.torso)) < 0.5
        assert shirt[name][1] < 110.0  # on the shoulders
    assert right_joint - seam < tube["right_shoulder"][0] < tube["left_shoulder"][0] < left_joint + seam
    span = tube["left_shoulder"][0] - tube["right_shoulder"][0]
    assert abs(tube["left_hem"][1] - tube["left_shoulder"][1] - 240 / 180 * span) < 0.5


def test_a_dress_s_own_breadth_bounds_its_skirt_its_warp_keeps_the_padded_hem() -> None:
    """Lengths and widths in the garment's own proportions (LENGTH_SPAN): a straight dress (its hem 160 px broad
    for shoulders 180 px apart) is no broader than the knees' flare (`body.hem_line`) and the hips
    (`body.HIP_BREADTH`); an A-line one (300 px) flares out as far as on its photo (`GarmentFit.skirt`, which
    bounds what shows of it off the person). The warp's hem stays at the padded outline (`body.SIDE_PAD`)."""
    scale = LENGTH_SPAN * 90.0 / 180.0  # body px per photo px: shoulder joints 90 px apart
    pose = _pose()
    left_knee, right_knee = hem_line(pose, body_frame(pose), Category.DRESS)  # DRESS_FLARE beside the knees
    least = max(float(left_knee[0] - right_knee[0]) / 2, 1.7 * 30.0 + 0.04 * 90.0)  # or over the hips' breadth
    padded = float(left_knee[0] - right_knee[0]) / 2 + 0.3 * 90.0
    for hem, out in ((70.0, least), (0.0, 150.0 * scale)):
        marks = GarmentLandmarks(Category.DRESS, left_shoulder=(240, 40), right_shoulder=(60, 40),
                                 left_hem=(300 - hem, 400), right_hem=(hem, 400))
        fit = fit_garment(marks, pose, Category.DRESS)
        targets = dict(zip(fit.names, fit.target, strict=True))
        assert abs(targets["left_hem"][0] - 150.0 - padded) < 0.5
        skirt = np.zeros((2000, 300), np.uint8)
        cv2.fillPoly(skirt, [np.round(fit.skirt).astype(np.int32)], 1)
        row = round(float(targets["left_hem"][1]))
        xs = np.nonzero(skirt[row])[0]
        assert abs(xs.max() - 150.0 - out) < 1.5 and abs(150.0 - xs.min() - out) < 1.5
        assert abs(np.nonzero(skirt[200])[0].max() - 150.0 - (1.7 * 30.0 + 0.04 * 90.0)) < 1.5  # over the hips
