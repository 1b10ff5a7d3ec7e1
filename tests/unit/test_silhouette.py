"""Whether a new garment has the worn one's shape, and its texture dressed into the worn silhouette."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose
from fittingroom.common.garment import Category
from fittingroom.warp_gen.silhouette import (
    MIN_OVERLAP,
    NECKLINE_SPAN,
    compare_shapes,
    dressed_silhouette,
    inner_back,
    neckline_reach,
    past_hems,
    round_off_outline,
    worn_straps_kept,
)
from fittingroom.warp_gen.texture import extend_texture

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


def test_long_sleeves_cut_at_the_elbow_by_forearms_in_front_are_still_long_sleeves() -> None:
    """The new garment as it shows (`garment`) loses its long sleeves where the forearms stay in front of it;
    read on the garment with no arm in front (`sleeves`), they are long, not the old tee's."""
    pose = _pose()
    tee, long_sleeves = _top(pose, sleeve=0.5), _top(pose, sleeve=2.0)
    shown = long_sleeves & _top(pose, sleeve=0.6)  # the forearms in front: the sleeves end at the tee's length
    assert compare_shapes(tee, shown, pose, Category.UPPER).matches
    assert not compare_shapes(tee, shown, pose, Category.UPPER, long_sleeves).matches


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


def test_a_longer_top_broader_over_the_hips_below_the_old_hem_matches_one_broader_above_it_does_not() -> None:
    pose = _pose()
    worn = _top(pose, sleeve=0.5, hem=200)  # tucked in at the waist
    tunic = _top(pose, sleeve=0.5, hem=330)
    tunic[200:330, 70:230] = 1  # past the old hem, down over broad hips
    comparison = compare_shapes(worn, tunic, pose, Category.UPPER)
    assert comparison.overlap > 0.9 and comparison.matches
    boxy = _top(pose, sleeve=0.5, hem=200)
    boxy[100:200, 40:260] = 1  # as long, but far broader than the old one
    assert compare_shapes(worn, boxy, pose, Category.UPPER).overlap < MIN_OVERLAP


def test_dressed_silhouette_keeps_the_worn_outline_and_goes_on_past_its_hem() -> None:
    pose = _pose()
    worn = _top(pose, sleeve=0.5)
    worn[100:104, 100:200] = 0  # a collar's edge the worn-garment mask missed
    new = _top(pose, sleeve=0.5, hem=275)
    new[:, 100:103] = 0  # the new garment a little narrower on one side
    new[100:104, 200:230] = 1  # ... and reaching out beside the shoulder, off the worn garment
    silhouette = dressed_silhouette(worn, new, new, pose, Category.UPPER).astype(bool)
    assert silhouette[102, 150]  # the missed rim, which the new garment covers
    assert silhouette[150, 101]  # the worn outline, where the new garment falls short of it
    assert not silhouette[102, 228]  # far off the worn garment: not the new garment's own outline
    assert silhouette[265, 150]  # below the old hem: the longer new garment
    assert not silhouette[380, 150]


def test_the_inside_of_the_back_seen_through_the_neck_opening_is_not_the_new_garments_texture() -> None:
    pose = _pose()
    garment = _top(pose, sleeve=0.5, neck=105)
    image = np.zeros((H, W, 3), np.uint8)
    image[garment > 0] = (230, 150, 200)  # a pink blouse
    image[105:109, 140:160] = (30, 30, 60)  # its label, inside the back, just below the neck opening's edge
    band = inner_back(garment, image, pose, Category.UPPER, garment)
    assert band[105:109, 140:160].all()
    assert not band[200].any() and not band[:, :60].any()  # neither the torso below nor the sleeves
    silhouette = garment.copy()
    silhouette[95:105, 120:180] = 1  # the worn garment's neckline, higher than the new one's
    out = extend_texture(image, garment, silhouette, band)
    assert (out[95:109, 120:180] == (230, 150, 200)).all()  # the front's pink up to the old neckline
    assert not inner_back(garment, image, pose, Category.LOWER, garment).any()


def test_a_label_reaching_deeper_than_the_inner_back_band_is_left_out_a_print_going_on_is_not() -> None:
    pose = _pose()
    garment = _top(pose, sleeve=0.5, neck=105)
    image = np.zeros((H, W, 3), np.uint8)
    image[garment > 0] = (240, 240, 240)  # a white tee
    image[106:118, 140:156] = (60, 60, 60)  # its label, from the neck opening's edge 12 px down
    image[106:220, 166:172] = (200, 30, 60)  # a red print's stripe, from the neck opening down the front
    band = inner_back(garment, image, pose, Category.UPPER, garment)
    assert band[106:118, 140:156].all()
    assert not band[120:220, 166:172].any()


def test_a_grey_inside_back_deeper_than_the_band_is_left_out_down_to_the_front_neckline() -> None:
    pose = _pose()
    garment = _top(pose, sleeve=0.5, neck=96)
    image = np.zeros((H, W, 3), np.uint8)
    image[garment > 0] = (240, 240, 238)  # a white tee
    opening = np.zeros((H, W), np.uint8)
    cv2.ellipse(opening, (150, 96), (26, 17), 0, 0, 180, 1, -1)
    image[opening > 0] = (170, 170, 166)  # the grey inside of its back, 17 px deep (the band: 5 px)
    image = cv2.GaussianBlur(image, (0, 0), 0.7)
    band = inner_back(garment, image, pose, Category.UPPER, garment)
    assert band[opening > 0].mean() > 0.95
    assert not band[120:].any()


def test_past_the_old_hem_the_new_garment_hangs_across_the_gap_between_the_legs() -> None:
    pose = _pose()
    worn = _top(pose, sleeve=0.5)  # hem at row 250
    cut = _top(pose, sleeve=0.5, hem=300)
    cut[262:300, 143:157] = 0  # cut to the person: the gap between the legs
    hanging = _top(pose, sleeve=0.5, hem=300)  # as it hangs (`fit.hanging_room`)
    silhouette = dressed_silhouette(worn, cut, hanging, pose, Category.UPPER).astype(bool)
    assert silhouette[280, 150]  # no notch at the crotch: a tee, not a romper
    assert silhouette[280, 110] and not silhouette[320, 150]


def _trousers(hem: int) -> np.ndarray:
    """Trouser legs down the synthetic pose's legs to row `hem`, and a thin strip (a shaded ankle) below."""
    mask = np.zeros((H, W), np.uint8)
    mask[225:260, 100:200] = 1
    for x in (122, 178):
        mask[250:hem, x - 18:x + 18] = 1
        mask[hem:380, x - 4:x + 4] = 1
    return mask


def _legs(half_width: int) -> np.ndarray:
    """Trousers down the synthetic pose's legs to the ankles, each leg `half_width` px either side of its bone."""
    mask = np.zeros((H, W), np.uint8)
    mask[225:260, 150 - 28 - half_width:150 + 28 + half_width] = 1
    for x in (122, 178):
        mask[250:385, x - half_width:x + half_width] = 1
    return mask


def test_skinny_legs_for_wide_ones_do_not_match_the_same_cut_does() -> None:
    pose = _pose()
    wide, skinny = _legs(26), _legs(17)
    comparison = compare_shapes(wide, skinny, pose, Category.LOWER)
    assert comparison.overlap >= MIN_OVERLAP  # alike enough overall: the cut is what differs
    assert comparison.narrower and not comparison.matches
    assert compare_shapes(wide, _legs(24), pose, Category.LOWER).matches
    # Wider new legs, or a top narrower than the old one, is no narrower cut of trousers.
    assert not compare_shapes(skinny, wide, pose, Category.LOWER).narrower
    assert not compare_shapes(wide, skinny, pose, Category.UPPER).narrower


def _new_legs(hem: int, half_width: int) -> np.ndarray:
    """New trousers as warped (not cut to the person) down the synthetic pose's legs to row `hem`."""
    mask = np.zeros((H, W), np.uint8)
    mask[225:260, 100:200] = 1
    for x in (122, 178):
        mask[250:hem, x - half_width:x + half_width] = 1
    return mask


def test_trousers_end_at_the_old_hem_not_in_strips_down_the_ankles_longer_ones_hang_on_past_it() -> None:
    pose = _pose()
    worn = _trousers(hem=345)  # below the hem, the outline's strip down a shaded ankle
    past, carried = past_hems(worn, pose)
    outline = (worn > 0) & ~past
    assert not outline[352:, :].any() and outline[340, 122]  # the strips cut at the hem
    same = _new_legs(345, 18)
    silhouette = dressed_silhouette(outline, same, same, pose, Category.LOWER, carried).astype(bool)
    assert silhouette[330, 122] and silhouette[330, 178] and silhouette[330, 136]  # the legs to the hem
    assert not silhouette[352:, :].any()  # no strips below it (the new trousers' rim goes on a little)
    assert silhouette[250, 150]  # the waist untouched
    # Full-length new legs, broader than the old ones as warped, go on to their own hem (their hem band) within
    # the old legs' breadth.
    longer = _new_legs(370, 24)
    silhouette = dressed_silhouette(outline, longer, longer, pose, Category.LOWER, carried).astype(bool)
    for x in (122, 178):
        assert silhouette[365, x - 15:x + 16].all() and not silhouette[365, x - 22] and not silhouette[365, x + 21]
    assert not silhouette[372:, :].any()


def _steps(mask: np.ndarray) -> int:
    """The largest jump of the outline from one row to the next."""
    return int(np.abs(np.diff(np.argmin(mask[20:460], axis=1))).max())


def _staircase() -> np.ndarray:
    """A garment's edge against the backdrop as GrabCut leaves it at 512 px: solved at 160 px, scaled up (3.2-px
    steps)."""
    small = np.zeros((150, 160), np.uint8)
    for row in range(150):
        small[row, : 40 + row // 2] = 1
    return cv2.resize(small, (512, 480), interpolation=cv2.INTER_NEAREST)


def test_the_outline_is_rounded_against_the_backdrop_the_old_rim_filled_with_the_backdrop() -> None:
    silhouette = _staircase()
    person = np.full((480, 512, 3), 230, np.uint8)  # a pale backdrop ...
    person[silhouette > 0] = 20  # ... and the dark old garment, its rim a pixel past the mask
    person[cv2.dilate(silhouette, np.ones((3, 3), np.uint8)) > silhouette] = 60
    person_mask = silhouette.astype(np.float32)
    photo, rounded = round_off_outline(person, silhouette, person_mask, np.zeros_like(silhouette))
    assert _steps(silhouette) >= 4 and _steps(rounded) <= 2  # the outline's jumps from row to row
    grown = (rounded > 0) & (silhouette == 0)
    assert cv2.distanceTransform((1 - silhouette).astype(np.uint8), cv2.DIST_L2, 3)[grown].max() <= 2
    left = (silhouette > 0) & (rounded == 0)  # the steps' corners the rounding leaves out
    assert left.any() and (photo[left] > 200).all()  # show the backdrop, not the old garment
    rim = (person == 60).all(axis=2) & (rounded == 0)
    assert (photo[rim] > 200).all()
    assert np.array_equal(photo[:, 400:], person[:, 400:])  # far from the outline, the photo as it was


def test_the_outline_stays_against_hair_or_the_other_garment() -> None:
    silhouette = _staircase()
    person = np.full((480, 512, 3), 20, np.uint8)
    person_mask = np.ones((480, 512), np.float32)  # the person all round: hair, the other garment
    photo, rounded = round_off_outline(person, silhouette, person_mask, np.zeros_like(silhouette))
    assert np.array_equal(rounded, silhouette) and np.array_equal(photo, person)


def test_a_sleeves_hem_on_the_arm_is_rounded_the_old_rim_filled_with_skin() -> None:
    silhouette = _staircase()
    person = np.full((480, 512, 3), (200, 150, 120), np.uint8)  # an arm ...
    person[silhouette > 0] = 20  # ... below the dark old sleeve
    skin = (silhouette == 0).astype(np.uint8)
    skin[cv2.dilate(silhouette, np.ones((3, 3), np.uint8)) > silhouette] = 0  # its rim is no skin
    photo, rounded = round_off_outline(person, silhouette, np.ones((480, 512), np.float32), skin)
    assert _steps(rounded) <= 2
    left = (silhouette > 0) & (rounded == 0)
    assert left.any() and (np.abs(photo[left].astype(int) - (200, 150, 120)).max(axis=1) < 10).all()


def test_a_tape_between_the_outline_and_the_backdrop_is_the_old_garments_but_hair_there_is_not() -> None:
    silhouette = np.zeros((480, 512), np.uint8)
    silhouette[100:400, 100:300] = 1
    person_mask = np.zeros((480, 512), np.float32)
    person_mask[100:400, 100:304] = 1  # a pale tape down the garment's side, which its outline left out
    person_mask[100:400, 80:100] = 1  # hair falling beside the other side
    _, rounded = round_off_outline(np.full((480, 512, 3), 230, np.uint8), silhouette, person_mask,
                                   np.zeros_like(silhouette))
    assert rounded[250, 300:303].all()  # the tape: covered by the new garment
    assert not rounded[250, 80:97].any()  # the hair stays (the rounding's two pixels aside)


def _camisole() -> tuple[np.ndarray, np.ndarray]:
    """(outline, straps): a worn camisole's outline, rows 150 to 250, and its two thin straps rising 50 px from its
    top edge, as `worn_garment.straps` finds them (with their rim), off the outline."""
    outline = np.zeros((H, W), np.uint8)
    outline[150:250, 105:195] = 1
    straps = np.zeros((H, W), np.uint8)
    for x in (115, 185):
        straps[100:150, x - 3:x + 4] = 1
    return outline, straps


def test_the_worn_straps_are_the_new_garments_where_it_hangs_from_straps_not_where_it_is_strapless() -> None:
    """A new camisole, as warped, hangs from straps put a little inside the old ones and half as high: the old
    straps are its own (dressed in its texture), with the notch between a strap's foot and the top edge. A strapless
    top a few px higher than the old top edge reaches only their feet: they are no part of it."""
    outline, straps = _camisole()
    camisole = outline.astype(np.float32)
    for x in (119, 181):
        camisole[125:150, x - 3:x + 4] = 1.0
    kept = worn_straps_kept(straps, camisole, outline, _pose())
    assert kept[100:150, 113:118].all() and kept[100:150, 183:188].all()
    assert not kept[outline > 0].any() and not kept[:95].any()
    bandeau = np.zeros((H, W), np.float32)
    bandeau[146:250, 105:195] = 1.0
    assert not worn_straps_kept(straps, bandeau, outline, _pose()).any()


def test_the_worn_straps_the_new_garment_does_not_hang_from_are_repainted_from_the_skin_beside_them() -> None:
    """Off the silhouette and far from the backdrop, a camisole's black strap on the skin is the old garment too:
    filled from the skin beside it (left, the old strap ran on over the shoulder of a new top)."""
    outline, straps = _camisole()
    person = np.full((H, W, 3), (200, 150, 120), np.uint8)  # the bare chest and shoulders
    person[outline > 0] = 20
    person[100:150, 114:117] = 30  # the straps, with their anti-aliased rim
    person[100:150, 184:187] = 30
    skin = ((outline == 0) & (person[..., 0] == 200)).astype(np.uint8)
    person_mask = np.ones((H, W), np.float32)
    photo, _ = round_off_outline(person, outline, person_mask, skin, straps)
    assert (np.abs(photo[straps > 0].astype(int) - (200, 150, 120)).max(axis=1) < 10).all()
    untouched, _ = round_off_outline(person, outline, person_mask, skin)
    assert (untouched[100:150, 114:117] == 30).all()  # a strap is too far from the skin for the outline's rim


def test_the_neckline_is_read_between_the_shoulders_only_and_never_on_a_lower_garment() -> None:
    """Beside the torso a column's top is an arm's edge, not the garment's own top edge."""
    pose = _pose()
    reach = neckline_reach((H, W), pose, Category.UPPER)
    assert reach is not None
    left, right = pose.point(lm.LEFT_SHOULDER), pose.point(lm.RIGHT_SHOULDER)
    middle, width = (left + right) / 2, float(np.linalg.norm(left - right))
    row = reach[int(middle[1])]
    assert row[int(middle[0])] and not row[int(middle[0] + (NECKLINE_SPAN + 0.1) * width)]
    assert not row[int(middle[0] - (NECKLINE_SPAN + 0.1) * width)]
    assert neckline_reach((H, W), pose, Category.LOWER) is None
