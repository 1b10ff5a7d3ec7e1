"""A fitted sleeve laid on its own over a loose old top: its cap (what of it lies outside its quadrilateral, past its
top edge) filled the old top's boxy outline beside the arm, a square shoulder pad. Off the body's outline, over the
old garment, the cap goes (`caps_off_body`); on the body, or a full sleeve's (`full_sleeve`), it stays. And the
shoulder whose person-mask outline stands far past the arm is read as a loose garment's (`Arm.loose`). Synthetic
masks."""

from __future__ import annotations

import numpy as np

from fittingroom.warp_gen.arms import DELTOID, DELTOID_OUTWARD, _deltoid
from fittingroom.warp_gen.sleeves import SleeveFit, caps_off_body, full_sleeve, sleeve_caps

H, W = 200, 200
# A sleeve laid straight down the wearer's left arm (on the photo's right): seam, end's outer corner, end's inner
# corner, underarm; its top edge is the column x = 120.
QUAD = np.array([[120.0, 40.0], [120.0, 160.0], [90.0, 160.0], [90.0, 70.0]])


def _laid() -> np.ndarray:
    """uint8: the sleeve laid (1) over its quadrilateral and its cap, 12 px out past its top edge near the seam,
    narrowing to nothing 60 px down."""
    laid = np.zeros((H, W), np.uint8)
    laid[40:161, 90:121] = 1
    for y in range(40, 100):
        laid[y, 121:121 + round(12 * (100 - y) / 60)] = 1
    return laid


def test_a_cap_over_a_loose_old_top_off_the_body_goes() -> None:
    laid = _laid()
    sleeve = SleeveFit("left", QUAD, QUAD)
    caps, beside = sleeve_caps((sleeve,), laid, {"left"})
    assert caps[45, 125] and not caps[100, 100]  # the cap, not the sleeve's own width
    worn = np.zeros((H, W), bool)
    worn[30:120, 60:150] = True  # a boxy old tee's sleeve, standing 30 px past the sleeve's top edge
    body = np.zeros((H, W), bool)
    body[30:200, 60:123] = True  # the arm's and shoulder's outline, 2 px past the top edge
    paint = laid.copy()
    paint[38:45, 121:140] = 1  # the drape over the cap, up to the old tee's top
    cut = caps_off_body(paint, worn, body, caps, beside)
    assert cut[45, 127] and cut[40, 135]  # the cap and the drape over it
    assert not cut[100, 100] and not cut[45, 121]  # the sleeve's own width, and the cap on the body
    # The old code painted all of it: the cap stood square beside the arm.


def test_a_cap_on_the_body_or_of_a_full_sleeve_stays() -> None:
    laid = _laid()
    worn = np.zeros((H, W), bool)
    worn[30:120, 60:150] = True
    body = np.zeros((H, W), bool)
    body[30:200, 60:140] = True  # a broad shoulder: the cap lies on it
    caps, beside = sleeve_caps((SleeveFit("left", QUAD, QUAD),), laid, {"left"})
    assert not caps_off_body(laid, worn, body, caps, beside).any()
    # A full sleeve's cap, or a sleeve on a side whose shoulder is not loose, is no cap to cut.
    assert not sleeve_caps((SleeveFit("left", QUAD, QUAD, full=True),), laid, {"left"})[0].any()
    assert not sleeve_caps((SleeveFit("left", QUAD, QUAD),), laid, {"right"})[0].any()


def _photo_sleeve(flare: int) -> tuple[np.ndarray, np.ndarray]:
    """A sleeve on its photo hanging straight down from its shoulder point (120, 20) to its end (x 90..120 at y 180),
    armpit at (90, 60), standing `flare` px past its top edge all down its length below the shoulder point."""
    mask = np.zeros((H, W), np.uint8)
    mask[20:200, 40:121] = 1  # the garment's body beside it, and the sleeve
    mask[30:190, 121:121 + flare] = 1
    source = np.array([[120.0, 20.0], [120.0, 180.0], [90.0, 180.0], [90.0, 60.0]])
    return mask, source


def test_a_sleeve_standing_off_its_top_edge_all_down_is_full() -> None:
    assert full_sleeve(*_photo_sleeve(20))  # ruffles flaring out down the sleeve
    assert not full_sleeve(*_photo_sleeve(3))  # a tee's cap, a few px past the edge


def _shoulder(reach: int) -> np.ndarray:
    """bool: a person mask whose outline stands `reach` px out from a shoulder joint at (100, 100), and up to 20 px
    above it."""
    mask = np.zeros((H, W), bool)
    mask[80:200, 40:100 + reach] = True
    return mask


def test_a_shoulder_outline_far_past_the_arm_is_a_loose_garments() -> None:
    joint, outward, down, half = np.array([100.0, 100.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]), 10.0
    outer, _, loose = _deltoid(_shoulder(round(2.2 * half)), joint, outward, down, half)
    assert loose and outer == DELTOID * half
    outer, _, loose = _deltoid(_shoulder(round(1.2 * half)), joint, outward, down, half)
    assert not loose and outer <= DELTOID_OUTWARD * half
