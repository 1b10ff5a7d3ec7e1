"""Where the garment is on the shopper: person mask ∩ a body region from the pose, refined by GrabCut.

Pure numpy/OpenCV so that it is tested on synthetic images without any model.
"""

from __future__ import annotations

import itertools
from enum import StrEnum

import cv2
import numpy as np

from fittingroom.common.errors import InvalidInput
from fittingroom.pose import landmarks as lm
from fittingroom.pose.processing import Pose

GRABCUT_ITERATIONS = 3
GRABCUT_MAX_SIDE = 512  # GrabCut is O(pixels); the mask is refined small and scaled back
# Skin in YCrCb (Chai & Ngan 1999): a broad, illumination-tolerant box around skin chroma.
SKIN_CR = (135, 175)
SKIN_CB = (85, 130)
# Shoulder-to-hip distance over shoulder width: about 1.5 for adults; below this the hips are wrong.
MIN_TORSO_RATIO = 1.3


class Garment(StrEnum):
    UPPER = "upper"
    LOWER = "lower"
    DRESS = "dress"


def _point(pose: Pose, index: int) -> np.ndarray:
    return pose.points[index].astype(np.float64)


def _require(pose: Pose, indices: tuple[int, ...], garment: Garment, what: str) -> None:
    missing = [i for i in indices if not pose.visible(i, 0.3)]
    if missing:
        raise InvalidInput(f"the photo must show the {what} for a {garment} garment; "
                           "use a front-facing photo where they are visible", field="person")


def body_region(pose: Pose, shape: tuple[int, int], garment: Garment) -> np.ndarray:
    """uint8 {0, 1} mask of where a garment of this class sits on this pose."""
    height, width = shape
    region = np.zeros((height, width), np.uint8)
    if garment is Garment.LOWER:
        _require(pose, (lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE), garment, "hips and knees")
    _require(pose, (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), garment, "shoulders")  # they set the scale
    ls, rs = _point(pose, lm.LEFT_SHOULDER), _point(pose, lm.RIGHT_SHOULDER)
    shoulder_width = float(np.linalg.norm(ls - rs))
    across = (ls - rs) / max(shoulder_width, 1e-6)  # unit vector from right to left shoulder
    down = np.array([-across[1], across[0]])
    if down[1] < 0:
        down = -down
    hips_seen = pose.visible(lm.LEFT_HIP, 0.3) and pose.visible(lm.RIGHT_HIP, 0.3)
    if hips_seen:
        lh, rh = _point(pose, lm.LEFT_HIP), _point(pose, lm.RIGHT_HIP)
    else:  # a half-body photo: the torso runs out of the frame
        lh, rh = ls + down * 1.6 * shoulder_width, rs + down * 1.6 * shoulder_width
    torso = float(np.linalg.norm((lh + rh) / 2 - (ls + rs) / 2))
    if torso < MIN_TORSO_RATIO * shoulder_width:
        # Under bulky clothing the model pulls the hips up; adult torsos are longer than this.
        stretch = down * (MIN_TORSO_RATIO * shoulder_width - torso)
        lh, rh, torso = lh + stretch, rh + stretch, MIN_TORSO_RATIO * shoulder_width
    pad = 0.12 * shoulder_width
    # Clothes stand off the joints: the person mask and GrabCut trim what this generous margin adds.
    side_pad = 0.3 * shoulder_width

    if garment in (Garment.UPPER, Garment.DRESS):
        if garment is Garment.UPPER:
            bottom_l, bottom_r = lh + down * 0.12 * torso, rh + down * 0.12 * torso
        else:
            knees = (lm.LEFT_KNEE, lm.RIGHT_KNEE)
            if hips_seen and all(pose.visible(k, 0.3) for k in knees):
                lk, rk = _point(pose, lm.LEFT_KNEE), _point(pose, lm.RIGHT_KNEE)
            else:
                lk, rk = lh + down * 0.9 * torso, rh + down * 0.9 * torso
            flare = across * 0.25 * shoulder_width
            bottom_l, bottom_r = lk + flare + down * 0.15 * torso, rk - flare + down * 0.15 * torso
        polygon = [ls + across * side_pad - down * pad, bottom_l + across * side_pad,
                   bottom_r - across * side_pad, rs - across * side_pad - down * pad]
        cv2.fillPoly(region, [np.round(np.array(polygon)).astype(np.int32)], 1)
        sleeve = max(2, round(0.28 * shoulder_width))
        for shoulder, elbow in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW), (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW)):
            if pose.visible(elbow, 0.3):  # short sleeves: half way down the upper arm
                start, end = _point(pose, shoulder), _point(pose, elbow)
                mid = start + (end - start) * 0.5
                cv2.line(region, tuple(np.round(start).astype(int)), tuple(np.round(mid).astype(int)), 1, sleeve)
    else:
        leg = max(2, round(0.55 * float(np.linalg.norm(lh - rh))))
        for hip, knee, ankle in ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE),
                                 (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE)):
            chain = [_point(pose, hip), _point(pose, knee)]
            if pose.visible(ankle, 0.3):
                chain.append(_point(pose, ankle))
            for a, b in itertools.pairwise(chain):
                cv2.line(region, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), 1, leg)
        waist = [lh + across * pad - down * pad, rh - across * pad - down * pad,
                 _point(pose, lm.RIGHT_KNEE), _point(pose, lm.LEFT_KNEE)]
        cv2.fillPoly(region, [np.round(np.array(waist)).astype(np.int32)], 1)
    return region


def skin_mask(image: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: pixels whose chroma is in the skin range."""
    ycrcb = cv2.cvtColor(image, cv2.COLOR_RGB2YCrCb)
    cr, cb = ycrcb[..., 1], ycrcb[..., 2]
    skin = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1])
    return cv2.morphologyEx(skin.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))


def head_mask(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: a disc over the head and hair, which must never be repainted."""
    mask = np.zeros(shape, np.uint8)
    if pose.visible(lm.NOSE, 0.3) and pose.visible(lm.LEFT_SHOULDER, 0.3):
        nose = _point(pose, lm.NOSE)
        shoulder_width = float(np.linalg.norm(_point(pose, lm.LEFT_SHOULDER) - _point(pose, lm.RIGHT_SHOULDER)))
        cv2.circle(mask, tuple(np.round(nose).astype(int)), max(2, round(0.5 * shoulder_width)), 1, -1)
    return mask


def refine_with_grabcut(image: np.ndarray, sure: np.ndarray, background: np.ndarray) -> np.ndarray:
    """GrabCut seeded from masks: sure garment, sure not-garment, the rest probably garment.

    Only what is certainly not garment (scene, skin, hair) trains the background colour model, so
    the rest of the same garment outside the pose region (sleeves, hem) cannot teach it the garment's
    own colours. Returns uint8 {0, 1} at full size.
    """
    height, width = image.shape[:2]
    scale = min(1.0, GRABCUT_MAX_SIDE / max(height, width))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)

    def shrink(m: np.ndarray) -> np.ndarray:
        return cv2.resize(m, size, interpolation=cv2.INTER_NEAREST).astype(bool)

    seeds = np.full(small.shape[:2], cv2.GC_PR_FGD, np.uint8)
    seeds[shrink(sure)] = cv2.GC_FGD
    seeds[shrink(background)] = cv2.GC_BGD
    if not (seeds == cv2.GC_FGD).any() or not (seeds == cv2.GC_BGD).any():
        return 1 - background.astype(np.uint8)  # nothing to learn a colour model from
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), seeds, (0, 0, 0, 0), bgd, fgd, GRABCUT_ITERATIONS,
                cv2.GC_INIT_WITH_MASK)
    refined = np.isin(seeds, (cv2.GC_FGD, cv2.GC_PR_FGD)).astype(np.uint8)
    return np.asarray(cv2.resize(refined, (width, height), interpolation=cv2.INTER_NEAREST), dtype=np.uint8)


def garment_mask(image: np.ndarray, person: np.ndarray, pose: Pose, garment: Garment) -> np.ndarray:
    """uint8 {0, 1} mask of the garment to repaint: never skin, hair or background."""
    shape = image.shape[:2]
    person_bin = (person > 0.5).astype(np.uint8)
    region = body_region(pose, shape, garment) & person_bin
    keep_out = skin_mask(image) | head_mask(pose, shape)
    side = max(3, round(0.03 * max(shape)) | 1)
    core = cv2.erode(region, np.ones((side, side), np.uint8)) & (1 - keep_out)
    refined = refine_with_grabcut(image, sure=core, background=(1 - person_bin) | keep_out)
    mask = refined & region & (1 - keep_out)
    # Close pinholes left by specular highlights that the skin test or GrabCut dropped.
    closed = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)), dtype=np.uint8)
    mask = closed & region
    if mask.sum() < 0.002 * mask.size:
        raise InvalidInput(f"no {garment} garment found on the person; check the garment class and that "
                           "the person faces the camera", field="person")
    return mask
