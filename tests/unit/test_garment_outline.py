"""The warped garment's outline, on synthetic images: a smooth product mask from a wavy cut, an anti-aliased
edge on the person's outline, occluder cuts kept, and the old garment's light read inside its rim."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.images import smoothed_contours
from fittingroom.segment.product import product_mask
from fittingroom.warp_gen.dress import crisp_alpha, dress_garment, paint_mask, smooth_hem, to_outline, worn_shading
from fittingroom.warp_gen.tps import fit_tps, remap, sampling_maps

SIDE = 384
BACKDROP = (238, 238, 238)


def _hem_rows(mask: np.ndarray, columns: slice) -> np.ndarray:
    """The lowest garment row in each column of `columns`."""
    part = mask[:, columns] > 0
    return np.asarray(part.shape[0] - 1 - np.argmax(part[::-1], axis=0), np.float64)


def _wavy_tee() -> np.ndarray:
    """A white garment on a light backdrop whose hem and sides are cut wavy (5 px deep, every 14 px), as
    GrabCut cuts a white tee on white where JPEG noise lets it through."""
    image = np.full((SIDE, SIDE, 3), BACKDROP, np.uint8)
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    hem = 300 + 5 * np.sin(2 * np.pi * xs / 14)
    side_wave = 5 * np.sin(2 * np.pi * ys / 14)
    inside = (ys > 60) & (ys < hem) & (np.abs(xs - SIDE / 2) < 110 + side_wave)
    image[inside] = (250, 250, 248)
    cv2.rectangle(image, (150, 120), (230, 200), (200, 40, 50), -1)  # a print the salient model sees
    return image


def test_a_wavy_cut_warped_onto_the_person_is_dressed_with_a_smooth_hem() -> None:
    image = _wavy_tee()
    salient = cv2.GaussianBlur(((image != BACKDROP).any(axis=2)).astype(np.float32), (0, 0), 3)
    mask = product_mask(image, salient)
    assert float(np.std(_hem_rows(mask, slice(110, 270)))) > 1.0  # the cut is as wavy as the photo's noise
    # Bent onto the person's frame (a 10 % larger garment, shifted), then smoothed along its outline.
    corners = np.array([[0, 0], [SIDE, 0], [0, SIDE], [SIDE, SIDE], [SIDE / 2, SIDE / 2]], np.float64)
    inverse = fit_tps(corners * 0.9 + 20, corners)  # person -> product
    alpha = remap(mask.astype(np.float32), sampling_maps(inverse, (SIDE, SIDE)))
    hem = _hem_rows(smooth_hem(alpha), slice(130, 260))
    raw = _hem_rows(alpha > 0.5, slice(130, 260))
    assert abs(float(np.median(hem)) - float(np.median(raw))) <= 1  # the hem stays where it was
    assert float(np.std(hem)) < 0.6 and float(np.std(raw)) > 1.0  # its wave is gone (0.5: whole rows)


def test_smoothing_along_the_outline_keeps_a_thin_strap_and_a_straight_edge() -> None:
    mask = np.zeros((SIDE, SIDE), np.uint8)
    mask[150:300, 100:280] = 1
    mask[40:151, 130:136] = 1  # a camisole's strap, 6 px wide
    smoothed = smoothed_contours(mask, 6.0)
    strap = smoothed[70:120, 120:150].sum(axis=1)
    assert np.all(np.abs(strap - 6) <= 1)
    assert smoothed[200:260, 100].all() and not smoothed[200:260, 98].any()  # the side stays put
    assert smoothed[299, 150:230].all() and not smoothed[301, 150:230].any()  # and the hem


def test_the_garment_edge_covers_the_persons_outline_pixel_and_is_about_one_px_wide() -> None:
    person = np.zeros((SIDE, SIDE), np.float32)
    person[:, :200] = 1.0  # the person's outline: x = 199.5
    person[150:, :] = 0.0
    cv2.fillPoly(person, [np.array([[0, 150], [200, 150], [260, 380], [0, 380]])], 1.0)  # and a slanted one
    garment_alpha = np.ones((SIDE, SIDE), np.float32)
    paint = paint_mask(garment_alpha, to_outline(person), np.zeros((SIDE, SIDE), np.uint8))
    alpha = crisp_alpha(paint, 1)  # dress_garment's edge at this size
    straight = alpha[SIDE // 4]
    assert straight[:200].min() == 1.0 and 0.3 <= straight[200] <= 0.8 and straight[201:].max() == 0.0
    for row in alpha[160:370]:  # the slanted outline: x = 200 + 60 * (y - 150) / 230
        partial = (row > 0.05) & (row < 0.95)
        assert int(partial.sum()) <= 2
        assert row[:int(np.argmax(row < 1.0))].min() == 1.0


def test_cuts_along_occluders_are_unchanged_by_the_reach_to_the_persons_outline() -> None:
    person = np.zeros((SIDE, SIDE), np.float32)
    person[:, 60:320] = 1.0
    occluders = np.zeros((SIDE, SIDE), np.uint8)
    cv2.circle(occluders, (190, 200), 40, 1, -1)  # a hand in front of the garment
    garment_alpha = np.zeros((SIDE, SIDE), np.float32)
    garment_alpha[80:300, 40:340] = 1.0
    before = paint_mask(garment_alpha, person, occluders)
    after = paint_mask(garment_alpha, to_outline(person), occluders)
    assert not (after & occluders).any()
    hand_rim = cv2.dilate(occluders, np.ones((7, 7), np.uint8)) > 0
    np.testing.assert_array_equal(after[hand_rim], before[hand_rim])
    assert (after >= before).all()  # only grown, and only at the person's outline
    assert not after[:, 66:314][(after != before)[:, 66:314]].any()
    photo = np.full((SIDE, SIDE, 3), 90, np.uint8)
    dressed = dress_garment(photo, np.full_like(photo, 250), after, np.ones((SIDE, SIDE), np.float32))
    np.testing.assert_array_equal(dressed[occluders > 0], photo[occluders > 0])


def test_the_old_garments_light_is_read_inside_its_anti_aliased_rim() -> None:
    """A white top over black trousers: its lowest rows are part trouser in the photo; carried onto the new
    garment, they drew a dark band along its hem."""
    person = np.full((SIDE, SIDE, 3), 30, np.uint8)  # dark trousers and backdrop
    worn = np.zeros((SIDE, SIDE), np.uint8)
    worn[80:250, 100:280] = 1
    person[80:250, 100:280] = 235
    for row, grey in zip((248, 249), (150, 70), strict=True):  # the rim: part white, part trouser
        person[row, 100:280] = grey
    light = worn_shading(person, worn, strength=1.0)
    assert float(light[240:250, 140:240].min()) > 0.9
    np.testing.assert_array_equal(light, worn_shading(person, worn, strength=1.0))  # deterministic
