"""Design mode prints to the worn garment's true edge: no rim of the old garment along its outline."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.garment import Category
from fittingroom.tryon.design import DesignPipeline
from fittingroom.tryon.requests import DesignRequest
from fittingroom.warp_gen.compose import composite
from fittingroom.warp_gen.edge_matte import edge_matte

BACKDROP = np.array([232.0, 230.0, 228.0])
GARMENT = np.array([40.0, 190.0, 60.0])  # green: any of it left shows as green above red
DESIGN = (60, 30, 200)  # less green than red, lit or not, as the backdrop
SIZE = 512  # the band unmixed is 3 px wide at this size, as at the bench's


def _disc_shirt(blur_px: float) -> tuple[np.ndarray, np.ndarray]:
    """A green garment (a disc) on the backdrop, its edge anti-aliased over about `blur_px`; the true share
    of the garment in each pixel."""
    yy, xx = np.mgrid[:SIZE, :SIZE].astype(np.float32)
    distance = np.hypot(yy - 128.0, xx - 120.0) - 80.0  # < 0 inside
    share = np.clip(0.5 - distance / (2.0 * blur_px), 0.0, 1.0)
    person = share[..., None] * GARMENT + (1.0 - share[..., None]) * BACKDROP
    return np.round(person).astype(np.uint8), share


def _print(person: np.ndarray, mask: np.ndarray) -> np.ndarray:
    request = DesignRequest(person, np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8),
                            Category.UPPER)
    return DesignPipeline.composite(request, np.full((64, 64, 3), DESIGN, np.uint8), mask)


def _green_left(image: np.ndarray, where: np.ndarray) -> float:
    pixels = image[where].astype(np.float32)
    return float((pixels[:, 1] - pixels[:, 0]).max())


def test_no_rim_of_the_old_garment_is_left_along_the_outline() -> None:
    person, share = _disc_shirt(blur_px=1.5)
    rim = (share > 0.02) & (share < 0.98)
    for inset in (0.75, 0.5, 0.25):  # the mask stopping inside the anti-aliased edge, or on it
        mask = (share > inset).astype(np.uint8)
        out = _print(person, mask)
        assert _green_left(out, share > 0.02) < 8.0, inset
        assert _green_left(out, rim) < _green_left(person, rim) - 100.0
    # The feathered composite it replaces left the rim (the pink line on a pink shirt).
    feathered = composite(person, np.full((64, 64, 3), DESIGN, np.uint8), (share > 0.5).astype(np.uint8))
    assert _green_left(feathered, rim) > 60.0


def test_the_edge_stays_anti_aliased_against_the_backdrop() -> None:
    person, share = _disc_shirt(blur_px=1.5)
    out = _print(person, (share > 0.5).astype(np.uint8)).astype(np.float32)
    row = out[128, 190:210, 2]  # blue across the right edge: design, then a ramp, then backdrop
    steps = np.diff(row)
    assert row[0] < 215.0 and abs(row[-1] - BACKDROP[2]) < 1.0
    assert np.count_nonzero(np.abs(steps) > 2.0) >= 2  # more than one pixel of ramp: not cut


def test_pixels_beyond_the_band_are_unchanged_and_the_core_is_all_design() -> None:
    person, share = _disc_shirt(blur_px=1.0)
    mask = (share > 0.5).astype(np.uint8)
    matte = edge_matte(person, mask)
    grown = cv2.dilate(mask, np.ones((7, 7), np.uint8)) > 0
    assert matte.coverage[~grown].max() == 0.0
    out = _print(person, mask)
    np.testing.assert_array_equal(out[~grown], person[~grown])
    core = cv2.erode(mask, np.ones((9, 9), np.uint8)) > 0
    assert matte.coverage[core].min() == 1.0


def test_skin_the_mask_caught_at_its_edge_is_not_printed() -> None:
    person, share = _disc_shirt(blur_px=1.0)
    skin = (180, 130, 110)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    arm = (np.hypot(yy - 128.0, xx - 120.0) > 80.5) & (np.abs(xx - 210) < 12)
    person[arm] = skin
    mask = (share > 0.5) | (arm & (np.hypot(yy - 128.0, xx - 120.0) < 82.5))  # 2 px onto the arm
    out = _print(person, mask.astype(np.uint8))
    caught = mask & arm
    assert caught.sum() > 10
    np.testing.assert_array_equal(out[caught], person[caught])


def test_slivers_and_stray_pieces_of_the_mask_are_left_as_they_are() -> None:
    person, share = _disc_shirt(blur_px=1.0)
    mask = (share > 0.5).astype(np.uint8)
    strap = np.zeros_like(mask)
    strap[10:50, 119:122] = 1  # 3 px wide, joining the garment
    person[strap > 0] = GARMENT.astype(np.uint8)
    speck = np.zeros_like(mask)
    speck[230:236, 20:26] = 1  # apart from it, a tiny share of its area
    person[speck > 0] = GARMENT.astype(np.uint8)
    out = _print(person, mask | strap | speck)
    left = ((strap > 0) & (share == 0)) | (speck > 0)
    assert _green_left(out, left) > 100.0
    assert edge_matte(person, mask | strap | speck).garment[left].all()  # kept: the old garment's


def test_where_garment_and_backdrop_look_alike_the_masks_outline_rounded_off_is_the_edge() -> None:
    person = np.full((SIZE, SIZE, 3), 230, np.uint8)
    yy, xx = np.mgrid[:SIZE, :SIZE]
    disc = np.hypot(yy - 256.0, xx - 256.0) < 120.0
    # The mask as solved at a quarter of the size and scaled up: a 4 px staircase along the disc's outline.
    small = cv2.resize(disc.astype(np.uint8), (SIZE // 4, SIZE // 4), interpolation=cv2.INTER_AREA)
    staircase = cv2.resize(small, (SIZE, SIZE), interpolation=cv2.INTER_NEAREST)
    coverage = edge_matte(person, staircase).coverage
    assert coverage[256, 256] == 1.0 and coverage[256, 20] == 0.0
    square = np.ones((9, 9), np.uint8)
    outline = (cv2.dilate(staircase, square) > 0) & (cv2.erode(staircase, square) == 0)
    assert np.count_nonzero((coverage > 0.05) & (coverage < 0.95)) > 200  # anti-aliased, not cut
    rounded_off = np.count_nonzero(((coverage >= 0.5) ^ disc)[outline])
    assert rounded_off < 0.6 * np.count_nonzero((staircase.astype(bool) ^ disc)[outline])


def test_the_same_photo_gives_the_same_print() -> None:
    person, share = _disc_shirt(blur_px=1.5)
    mask = (share > 0.6).astype(np.uint8)
    np.testing.assert_array_equal(_print(person, mask), _print(person, mask))


def test_zero_opacity_leaves_the_photo_as_it_was() -> None:
    person, share = _disc_shirt(blur_px=1.5)
    mask = (share > 0.5).astype(np.uint8)
    design = np.full((64, 64, 3), DESIGN, np.uint8)
    out = composite(person, design, mask, opacity=0.0, edge=edge_matte(person, mask))
    np.testing.assert_array_equal(out, person)
