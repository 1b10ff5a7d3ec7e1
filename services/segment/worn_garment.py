"""Where the shopper's own garment is: person mask ∩ the body region of its category, refined by GrabCut.

Design mode repaints this garment; the classical garment path takes its folds and light. The region comes
from the one body geometry (`common.body`); skin and the head are kept out. Pure numpy/OpenCV, so it is
tested on synthetic images without any model.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import LEG_WIDTH, PAD, SLEEVE_WIDTH, Pose, body_frame, top_outline
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category
from fittingroom.segment.grabcut import grabcut

GRABCUT_MAX_SIDE = 512
# Skin in YCrCb (Chai & Ngan 1999): a broad, illumination-tolerant box around skin chroma.
SKIN_CR = (135, 175)
SKIN_CB = (85, 130)
MIN_GARMENT_SHARE = 0.002  # of the photo: less is no garment


def _line(mask: np.ndarray, a: np.ndarray, b: np.ndarray, thickness: int) -> None:
    cv2.line(mask, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), 1, thickness)


def body_region(pose: Pose, shape: tuple[int, int], category: Category) -> np.ndarray:
    """uint8 {0, 1} mask of where a garment of this category sits on this pose."""
    region = np.zeros(shape, np.uint8)
    if category is Category.LOWER and not pose.sees(lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE):
        raise InvalidInput(f"the photo must show the hips and knees for a {category} garment; "
                           "use a front-facing photo where they are visible", field="person")
    frame = body_frame(pose)
    if category is not Category.LOWER:
        cv2.fillPoly(region, [np.round(top_outline(pose, frame, category).polygon()).astype(np.int32)], 1)
        sleeve = max(2, round(SLEEVE_WIDTH * frame.shoulder_width))
        for shoulder, elbow in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW), (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW)):
            if pose.sees(elbow):  # short sleeves: half way down the upper arm
                start, end = pose.point(shoulder), pose.point(elbow)
                _line(region, start, start + (end - start) * 0.5, sleeve)
        return region
    lh, rh = frame.left_hip, frame.right_hip
    leg = max(2, round(LEG_WIDTH * float(np.linalg.norm(lh - rh))))
    for hip, knee, ankle in ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE)):
        chain = [pose.point(hip), pose.point(knee)]
        if pose.sees(ankle):
            chain.append(pose.point(ankle))
        for a, b in itertools.pairwise(chain):
            _line(region, a, b, leg)
    pad = PAD * frame.shoulder_width
    waist = [lh + frame.across * pad - frame.down * pad, rh - frame.across * pad - frame.down * pad,
             pose.point(lm.RIGHT_KNEE), pose.point(lm.LEFT_KNEE)]
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
    if pose.sees(lm.NOSE, lm.LEFT_SHOULDER):
        shoulder_width = float(np.linalg.norm(pose.point(lm.LEFT_SHOULDER) - pose.point(lm.RIGHT_SHOULDER)))
        cv2.circle(mask, tuple(np.round(pose.point(lm.NOSE)).astype(int)), max(2, round(0.5 * shoulder_width)), 1, -1)
    return mask


def refine_with_grabcut(image: np.ndarray, sure: np.ndarray, background: np.ndarray) -> np.ndarray:
    """GrabCut seeded from masks: sure garment, sure not-garment, the rest probably garment.

    Only what is certainly not garment (scene, skin, hair) trains the background colour model, so
    the rest of the same garment outside the pose region (sleeves, hem) cannot teach it the garment's
    own colours. Returns uint8 {0, 1} at full size.
    """
    seeds = np.full(image.shape[:2], cv2.GC_PR_FGD, np.uint8)
    seeds[sure.astype(bool)] = cv2.GC_FGD
    seeds[background.astype(bool)] = cv2.GC_BGD
    found = grabcut(image, seeds, max_side=GRABCUT_MAX_SIDE, smooth_edge=False)
    if found is None:  # nothing to learn a colour model from
        return 1 - background.astype(np.uint8)
    return found.astype(np.uint8)


def worn_garment_mask(image: np.ndarray, person: np.ndarray, pose: Pose, category: Category) -> np.ndarray:
    """uint8 {0, 1} mask of the garment of this category the shopper wears: never skin, hair or background."""
    shape = image.shape[:2]
    person_bin = (person > 0.5).astype(np.uint8)
    region = body_region(pose, shape, category) & person_bin
    keep_out = skin_mask(image) | head_mask(pose, shape)
    side = max(3, round(0.03 * max(shape)) | 1)
    core = cv2.erode(region, np.ones((side, side), np.uint8)) & (1 - keep_out)
    refined = refine_with_grabcut(image, sure=core, background=(1 - person_bin) | keep_out)
    mask = refined & region & (1 - keep_out)
    # Close pinholes left by specular highlights that the skin test or GrabCut dropped.
    closed = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)), dtype=np.uint8)
    mask = closed & region
    if mask.sum() < MIN_GARMENT_SHARE * mask.size:
        raise InvalidInput(f"no {category} garment found on the person; check the garment category and that "
                           "the person faces the camera", field="person")
    return mask
