"""Whether a new garment has the worn one's shape, and its texture dressed into the worn silhouette."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.garment import Category
from fittingroom.warp_gen.silhouette import compare_shapes, dressed_silhouette, extend_texture

H, W = 400, 300


def _pose() -> Pose:
    """A shopper facing the camera, arms hanging a little out from the body; shoulders 90 px apart."""
    return frontal_pose({lm.LEFT_HIP: (180, 240), lm.RIGHT_HIP: (120, 240), lm.LEFT_KNEE: (178, 320),
                         lm.RIGHT_KNEE: (122, 320), lm.LEFT_ANKLE: (176, 390), lm.RIGHT_ANKLE: (124, 390)})


def _top(pose: Pose, *, sleeve: float, neck: int = 100, hem: int = 250) -> np.ndarray:
    """A top's silhouette: the torso from `neck` to `hem` (rows), sleeves `sleeve` of the way to the elbow
    (2.0: to the wrist; 0: sleeveless)."""
    mask = np.zeros((H, W), np.uint8)
    mask[neck:hem, 100:200] = 1
    for shoulder, elbow, wrist in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST),
                                   (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST)):
        s, e, w = (pose.points[i].astype(np.float64) for i in (shoulder, elbow, wrist))
        end = s + min(sleeve, 1.0) * (e - s)
        if sleeve > 0:
            cv2.line(mask, tuple(np.round(s).astype(int)), tuple(np.round(end).astype(int)), 1, 28)
        if sleeve > 1:
            cuff = e + (sleeve - 1.0) * (w - e)
            cv2.line(mask, tuple(np.round(e).astype(int)), tuple(np.round(cuff).astype(int)), 1, 24)
    return mask


def test_a_tee_for_a_tee_matches_and_small_differences_do_not_matter() -> None:
    pose = _pose()
    worn, new = _top(pose, sleeve=0.5), _top(pose, sleeve=0.6, neck=104, hem=246)
    comparison = compare_shapes(worn, new, pose, Category.UPPER)
    assert comparison.matches
    assert comparison.sleeve <= 0.2 and comparison.neck < 0.05 and comparison.overlap > 0.9


def test_different_sleeves_do_not_match() -> None:
    pose = _pose()
    tee, long_sleeves, sleeveless = _top(pose, sleeve=0.5), _top(pose, sleeve=2.0), _top(pose, sleeve=0.0)
    assert not compare_shapes(long_sleeves, tee, pose, Category.UPPER).matches  # sheer long sleeves -> a tee
    assert not compare_shapes(sleeveless, tee, pose, Category.UPPER).matches
    assert compare_shapes(long_sleeves, tee, pose, Category.UPPER).sleeve > 0.5  # shoulder widths


def test_a_shorter_new_hem_or_a_lower_neckline_does_not_match_a_longer_one_does() -> None:
    pose = _pose()
    worn = _top(pose, sleeve=0.5)
    crop_top = _top(pose, sleeve=0.5, hem=190)
    assert compare_shapes(worn, crop_top, pose, Category.UPPER).hem > 0.3
    assert not compare_shapes(worn, crop_top, pose, Category.UPPER).matches
    assert not compare_shapes(worn, _top(pose, sleeve=0.5, neck=150), pose, Category.UPPER).matches
    longer = _top(pose, sleeve=0.5, hem=275)
    assert compare_shapes(worn, longer, pose, Category.UPPER).hem == 0.0
    assert compare_shapes(worn, longer, pose, Category.UPPER).matches


def test_dressed_silhouette_keeps_the_worn_outline_and_goes_on_past_its_hem() -> None:
    pose = _pose()
    worn = _top(pose, sleeve=0.5)
    worn[100:104, 100:200] = 0  # a collar's edge the worn-garment mask missed
    new = _top(pose, sleeve=0.5, hem=275)
    new[:, 100:103] = 0  # the new garment a little narrower on one side
    new[100:104, 200:230] = 1  # ... and reaching out beside the shoulder, off the worn garment
    silhouette = dressed_silhouette(worn, new, pose).astype(bool)
    assert silhouette[102, 150]  # the missed rim, which the new garment covers
    assert silhouette[150, 101]  # the worn outline, where the new garment falls short of it
    assert not silhouette[102, 228]  # far off the worn garment: not the new garment's own outline
    assert silhouette[265, 150]  # below the old hem: the longer new garment
    assert not silhouette[380, 150]


def test_extend_texture_continues_the_texture_into_the_gap_and_changes_nothing_else() -> None:
    image = np.zeros((40, 60, 3), np.uint8)
    image[:, 30:40] = (255, 255, 255)  # the warped garment's rim: blended with the product photo's backdrop
    stripes = np.arange(30) % 4 < 2  # a striped garment: the texture to go on
    image[:, :30][:, stripes] = (200, 10, 10)
    image[:, :30][:, ~stripes] = (10, 10, 200)
    inside = np.zeros((40, 60), bool)
    inside[:, :32] = True
    silhouette = np.zeros((40, 60), bool)
    silhouette[:, 5:40] = True
    out = extend_texture(image, inside, silhouette)
    gap = out[:, 30:40]
    assert not (gap == 255).all(axis=2).any()  # never the backdrop-blended rim
    assert len({tuple(p) for p in gap[20]}) == 2  # both stripes go on: mirrored, not one smeared edge pixel
    assert np.array_equal(out[:, :29], image[:, :29])
    assert np.array_equal(out[:, 40:], image[:, 40:])
