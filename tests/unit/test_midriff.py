"""A crop top over a long untucked top, on a synthetic shopper: the bared midriff is skin in a torso's outline,
the trousers go on up to their waistband in their own texture, the backdrop shows beside the waist."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose, body_frame
from fittingroom.segment.worn_garment import bare_body, bare_torso
from fittingroom.warp_gen.arms import Arms, fit_arms
from fittingroom.warp_gen.dress import repaint_uncovered
from fittingroom.warp_gen.midriff import (
    SIDE_RISE,
    WAISTBAND_RISE,
    LowerGarment,
    arms_beside_midriff,
    bared_lower_garment,
    body_above_lower,
    dress_lower_garment,
    waistband_rows,
)

H, W = 400, 300
BACKDROP = (232, 232, 235)
SKIN = (224, 180, 160)
OLD = (240, 150, 60)  # a loose orange shirt, untucked, its hem below the hips (row 230)
NEW = (250, 230, 60)  # the yellow crop top
DENIM = ((40, 60, 110), (70, 95, 150))  # jeans: vertical stripes, a texture a flat colour would lose
OLD_HEM, CROP_HEM = 262, 170


def _pose() -> Pose:
    """FRONTAL (shoulders at row 110, hips at row 230) with the arms held away from the body."""
    return frontal_pose({lm.LEFT_ELBOW: (240, 175), lm.RIGHT_ELBOW: (60, 175), lm.LEFT_WRIST: (255, 235),
                         lm.RIGHT_WRIST: (45, 235)})


def _shopper(old_hem: int = OLD_HEM, legs: str = "jeans") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The photo, its person mask, its skin, and the old shirt: a wide shirt (x 80..220) over striped jeans
    (x 110..190) or bare legs."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 32, SKIN, -1)
    cv2.line(image, (195, 110), (240, 175), SKIN, 20)
    cv2.line(image, (240, 175), (255, 235), SKIN, 16)
    cv2.line(image, (105, 110), (60, 175), SKIN, 20)
    cv2.line(image, (60, 175), (45, 235), SKIN, 16)
    if legs == "jeans":
        stripes = np.array(DENIM, np.uint8)[(np.arange(110, 191) // 4) % 2]
        image[200:395, 110:191] = stripes[None]
    else:
        image[200:395, 115:186] = SKIN
    image[100:old_hem, 80:221] = OLD
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == SKIN, axis=2).astype(np.uint8)
    old = np.all(image == OLD, axis=2)
    return image, person, skin, old


def _crop_top() -> np.ndarray:
    new = np.zeros((H, W), bool)
    new[100:CROP_HEM, 95:206] = True
    return new


def _lower(image: np.ndarray, person: np.ndarray, skin: np.ndarray, old: np.ndarray,
           new: np.ndarray) -> LowerGarment | None:
    pose = _pose()
    return bared_lower_garment(image, person, skin, old, new, old & ~new, bare_torso(pose, (H, W)), pose)


def _dressed(image: np.ndarray, person: np.ndarray, skin: np.ndarray, old: np.ndarray,
             new: np.ndarray | None = None) -> np.ndarray:
    """The photo with the old shirt that the new top (the crop top) leaves uncovered repainted as the classical
    composite does it."""
    new = _crop_top() if new is None else new
    uncovered = old & ~new
    lower = _lower(image, person, skin, old, new)
    body = bare_body(_pose(), (H, W)).astype(bool)
    if lower is not None:
        body &= ~lower.below_waistband
    cover = new | lower.mask if lower is not None else new
    clothes = old | new | ((person > 0.5) & (skin == 0))
    base = repaint_uncovered(image, uncovered, body.astype(np.uint8), skin, clothes, cover=cover)
    out = dress_lower_garment(base, lower)
    out[new] = NEW
    return out


def _near(pixel: np.ndarray, colour: tuple[int, int, int] | np.ndarray, tolerance: int) -> bool:
    return bool(np.abs(pixel.astype(int) - np.asarray(colour, int)).max() <= tolerance)


def test_the_waistband_line_sits_just_above_the_hip_joints() -> None:
    rows = waistband_rows(_pose(), W)
    frame = body_frame(_pose())
    assert np.allclose(rows, 230 - WAISTBAND_RISE * frame.torso)


def test_a_crop_top_bares_skin_down_to_the_waistband_and_the_jeans_go_on_up_to_it() -> None:
    image, person, skin, old = _shopper()
    out = _dressed(image, person, skin, old)
    waistband = waistband_rows(_pose(), W)[150]
    above, below = int(np.floor(waistband)) - 4, int(np.ceil(waistband)) + 6
    assert _near(out[190, 150], SKIN, 40) and _near(out[above, 150], SKIN, 60)  # the midriff
    assert out[below, 150].astype(int).sum() < 330  # dark jeans from the waistband down, no skin
    # In the jeans' own texture: each column's stripe carries on up from where the jeans showed.
    for x in range(114, 186):
        assert _near(out[245, x], image[OLD_HEM + 20, x], 30), x
    assert np.array_equal(out[OLD_HEM + 5:], image[OLD_HEM + 5:])  # the visible jeans stay as they were


def test_a_pinstripe_unlike_the_trousers_middle_goes_on_up_with_them_not_as_backdrop_streaks() -> None:
    """Pale pinstripes 2 px wide every 9 px: each stripe's columns are not in the colour of the hips' middle, but too
    narrow to be a hand in front; dropped, each was repainted as a streak of the backdrop down the trousers."""
    image, person, skin, old = _shopper()
    pinstripes = np.zeros(W, bool)
    for x in range(114, 188, 9):
        pinstripes[x:x + 2] = True
    visible = np.zeros((H, W), bool)
    visible[OLD_HEM:395, 110:191] = True
    image[visible & pinstripes[None]] = (235, 232, 225)
    out = _dressed(image, person, skin, old)
    for x in range(114, 186):
        assert _near(out[245, x], image[OLD_HEM + 20, x], 30), x


def test_the_old_shirts_hem_left_out_of_its_mask_is_not_carried_up_into_the_jeans() -> None:
    image, person, skin, old = _shopper()
    old[OLD_HEM - 3:OLD_HEM] = False  # the worn garment's mask stopped short of its hem
    lower = _lower(image, person, skin, old, _crop_top())
    assert lower is not None
    carried = lower.colour[lower.alpha > 0.99]
    assert not (np.abs(carried - np.array(OLD, np.float32)).max(axis=-1) < 40).any()


def test_a_bag_held_at_the_hip_is_not_carried_up_as_the_trousers() -> None:
    image, person, skin, old = _shopper()
    image[OLD_HEM:OLD_HEM + 40, 100:122] = (236, 226, 205)  # a cream clutch in front of the right hip
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    lower = _lower(image, person, skin, old, _crop_top())
    assert lower is not None
    carried = lower.colour[lower.alpha > 0.99]
    assert carried.sum(axis=-1).max() < 3 * 160  # denim only, nothing of the cream bag


def test_above_a_hand_held_at_the_hip_the_trousers_are_not_painted_over_its_arm() -> None:
    image, person, skin, old = _shopper()
    image[OLD_HEM:OLD_HEM + 25, 125:137] = (150, 105, 85)  # a shaded hand the skin colour model misses
    lower = _lower(image, person, skin, old, _crop_top())
    assert lower is not None
    assert not lower.mask[235:OLD_HEM, 127:135].any()  # the arm above it: not trousers
    assert lower.mask[240, 150] and lower.mask[240, 115]  # the rest of the hips


def test_a_top_ending_below_the_waistband_but_above_the_old_hem_bares_only_the_jeans() -> None:
    image, person, skin, old = _shopper()
    tee = np.zeros((H, W), bool)
    tee[100:245, 95:206] = True  # a regular tee for a long shirt: its hem between the waistband and the old hem
    out = _dressed(image, person, skin, old, tee)
    for x in range(114, 186):
        assert _near(out[252, x], image[OLD_HEM + 20, x], 30), x  # the jeans, in their stripes: no skin


def test_beside_the_waist_and_the_hips_the_backdrop_shows_where_the_loose_shirt_stood() -> None:
    image, person, skin, old = _shopper()
    out = _dressed(image, person, skin, old)
    # The waist (row 184) is narrower than the old shirt and than the hips below it.
    assert _near(out[184, 100], BACKDROP, 12) and _near(out[184, 200], BACKDROP, 12)
    assert _near(out[245, 88], BACKDROP, 12) and _near(out[245, 212], BACKDROP, 12)
    assert _near(out[255, 103], BACKDROP, 12) and _near(out[255, 197], BACKDROP, 12)  # no thigh beside the jeans
    assert not np.all(out[old] == OLD, axis=-1).any()  # none of the old shirt is left


def test_below_the_crotch_the_backdrop_shows_between_the_trouser_legs() -> None:
    image, person, skin, old = _shopper()
    image[262:395, 140:161] = BACKDROP  # the legs part 32 px below the hip joints (row 230)
    image[100:330, 80:221] = OLD  # a long tunic, its hem at mid-thigh
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    old = np.all(image == OLD, axis=2)
    lower = _lower(image, person, skin, old, _crop_top())
    assert lower is not None
    assert lower.mask[240, 150] and lower.mask[300, 120] and lower.mask[300, 180]  # the hips, each leg
    assert not lower.mask[300, 150]  # between the legs


def test_beside_a_narrower_but_long_top_no_lower_garment_is_painted() -> None:
    image, person, skin, old = _shopper()
    tee = np.zeros((H, W), bool)
    tee[100:300, 112:189] = True  # a slim tee, longer than the old shirt: the old one's sides are left
    lower = _lower(image, person, skin, old, tee)
    assert lower is None or not lower.mask.any()
    out = _dressed(image, person, skin, old, tee)
    assert _near(out[250, 90], BACKDROP, 12)


def test_the_waistband_is_a_shade_darker_at_its_top_edge() -> None:
    image, person, skin, old = _shopper()
    lower = _lower(image, person, skin, old, _crop_top())
    assert lower is not None
    top = int(np.ceil(waistband_rows(_pose(), W)[150]))
    column = lower.colour[:, 150].sum(axis=-1)
    assert column[top] < 0.85 * column[top + 14]


def test_nothing_is_repainted_as_the_lower_garment_when_none_is_bared() -> None:
    image, person, skin, old = _shopper()
    longer = np.zeros((H, W), bool)
    longer[100:OLD_HEM + 4, 78:223] = True  # the new top covers the old one's hem
    assert _lower(image, person, skin, old, longer) is None
    # The old shirt ended above the waistband: what the crop top bares is the midriff only.
    image, person, skin, old = _shopper(old_hem=205)
    assert _lower(image, person, skin, old, _crop_top()) is None
    # A photo cut off above the old hem shows nothing of the lower garment to carry on.
    image, person, skin, old = _shopper()
    cut = OLD_HEM - 6
    pose = _pose()
    assert bared_lower_garment(image[:cut], person[:cut], skin[:cut], old[:cut], _crop_top()[:cut],
                               (old & ~_crop_top())[:cut], bare_torso(pose, (cut, W)), pose) is None
    # Bare legs below the old hem: there is no lower garment to carry on.
    image, person, skin, old = _shopper(legs="bare")
    assert _lower(image, person, skin, old, _crop_top()) is None


def test_the_bare_torso_is_narrowest_at_the_waist() -> None:
    torso = bare_torso(_pose(), (H, W))
    widths = torso.sum(axis=1)
    waist = int(np.argmin(np.where(np.arange(H) > 150, widths, W)[:229]))
    assert 170 <= waist <= 200  # a little above the middle of shoulders (110) and hips (230)
    assert widths[waist] < 0.85 * widths[228] and widths[waist] < 0.85 * widths[140]


def test_the_midriff_meets_the_lower_garments_top_as_broad_as_it_is_but_not_a_bag_held_at_the_hip() -> None:
    """A broad shopper: her jeans' top (x 86..215) is broader than the torso drawn in an adult's proportions. The
    crop top bares the midriff down to them: its body reaches their top's corners and comes in to the torso's
    breadth SIDE_RISE of the torso higher; a cream bag held at the left hip is no lower garment to reach."""
    pose = _pose()
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    stripes = np.array(DENIM, np.uint8)[(np.arange(86, 216) // 4) % 2]
    image[200:395, 86:216] = stripes[None]
    image[100:200, 80:221] = OLD
    image[200:240, 60:100] = (235, 225, 200)  # the bag, over the jeans' left side
    person = np.any(image != BACKDROP, axis=2)
    old = np.all(image == OLD, axis=2)
    new = _crop_top()
    hole = old & ~new
    torso = bare_torso(pose, (H, W))
    body = body_above_lower(image, hole, person, np.zeros((H, W), bool), old | new, torso, pose)
    bottom = np.flatnonzero(body[199])
    assert bottom.max() >= 214  # out to the jeans' right edge
    assert bottom.min() >= 99  # not over the bag
    assert not np.flatnonzero(torso[199]).max() >= 214  # the torso alone fell short of it
    higher = round(199 - SIDE_RISE * body_frame(pose).torso) - 1
    torso_row = np.flatnonzero(torso[higher])
    assert not (body[higher, :torso_row.min()].any() or body[higher, torso_row.max() + 1:].any())
    assert not (body & ~hole).any()


def _loose_shirt_over_arms(shirt: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, Arms]:
    """FRONTAL's arms hanging beside a shirt from column shirt[0] to shirt[1] (hem at row 262) over jeans, and the
    arms as fitted when the other arm measured wider (`fit_arms` takes the wider): half as wide again as the
    photo shows them, the inner side reaching under a loose shirt."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 32, SKIN, -1)
    for start, end, width in (((195, 110), (215, 175), 34), ((215, 175), (220, 235), 30),
                              ((105, 110), (85, 175), 34), ((85, 175), (80, 235), 30)):
        cv2.line(image, start, end, SKIN, width)
    image[200:395, 110:191] = DENIM[0]
    image[100:262, shirt[0]:shirt[1]] = OLD
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == SKIN, axis=2).astype(np.uint8)
    old = np.all(image == OLD, axis=2)
    arms = fit_arms(frontal_pose(), image, person, skin, old.astype(np.uint8))
    return image, person, skin, old, replace(arms, arms=tuple(replace(arm, radii=arm.radii * 2) for arm in arms.arms))


def test_between_an_arm_and_the_bared_waist_below_a_crop_top_is_the_backdrop() -> None:
    """A loose shirt hung from the arm's visible skin; the arm fitted wider reached under it, and the midriff the
    crop top bared was repainted one block with it out to the shirt's outline."""
    image, person, skin, old, arms = _loose_shirt_over_arms((88, 213))
    pose, new = frontal_pose(), _crop_top()
    torso = bare_torso(pose, (H, W))
    beside = arms_beside_midriff(arms, skin, old.astype(np.uint8), new.astype(np.uint8), torso)
    fitted = arms.mask()
    assert fitted[200, 92] and fitted[200, 208]  # the fitted arms reach under the shirt, off the torso
    assert beside[200, 92] and beside[200, 208]
    assert not beside[:CROP_HEM].any()  # beside the crop top the arms stay as fitted
    assert not (beside & ((skin > 0) | (torso > 0))).any()  # neither the visible arm nor the body itself
    uncovered = old & ~new
    clothes = old | new | ((person > 0.5) & (skin == 0)) | fitted | (skin > 0)
    body = (bare_body(pose, (H, W)) > 0) | fitted
    before = repaint_uncovered(image, uncovered, body.astype(np.uint8), skin, clothes, cover=new, arms=arms)
    after = repaint_uncovered(image, uncovered, (body & ~beside).astype(np.uint8), skin, clothes, cover=new,
                              arms=arms)
    assert not _near(before[200, 92], BACKDROP, 40)  # the fitted arm's hidden side, painted skin
    assert _near(after[200, 92], BACKDROP, 12) and _near(after[200, 208], BACKDROP, 12)
    assert _near(after[200, 150], SKIN, 60)  # the midriff
    assert np.array_equal(after[200, 70:86], image[200, 70:86])  # the visible arm


def test_a_fitted_shirt_leaves_the_arms_and_the_midriff_as_they_were() -> None:
    """A shirt as narrow as the body: the arms' skin shows across their whole breadth, nothing is taken off."""
    _, _, skin, old, wide = _loose_shirt_over_arms((110, 191))
    arms = replace(wide, arms=tuple(replace(arm, radii=arm.radii / 2) for arm in wide.arms))  # as the photo shows
    torso = bare_torso(frontal_pose(), (H, W))
    beside = arms_beside_midriff(arms, skin, old.astype(np.uint8), _crop_top().astype(np.uint8), torso)
    assert not beside.any()


def test_the_waistbands_top_edge_curves_down_to_the_front_and_turns_down_the_sides() -> None:
    """Seen from above the waist, the waistband's top edge is the front of the body's round: its middle lowest, its
    ends rising as rounded corners. A straight line read as a box's lid with square corners."""
    image, person, skin, old = _shopper()
    lower = _lower(image, person, skin, old, _crop_top())
    assert lower is not None
    tops = [int(np.flatnonzero(lower.mask[:, x])[0]) for x in range(110, 151)]  # the jeans' left side to the middle
    assert tops[-1] - tops[0] >= 2  # the sides above the middle
    assert all(a <= b for a, b in pairwise(tops))  # rising steadily towards the side, no step
    assert tops[-1] <= int(np.ceil(waistband_rows(_pose(), W)[150]))  # the middle at the waistband line


def test_a_notch_of_the_old_top_into_the_shown_waistband_is_the_lower_garment_not_skin() -> None:
    """A high rise shows the jeans' top below the old top; the old top's mask reached down into it in a notch (a
    button taken in): repainted as the midriff, it stood as a tab of skin in the waistband."""
    image, person, skin, old = _shopper(old_hem=205)
    image[205:215, 144:156] = OLD  # the notch, above the waistband line (row 220)
    old = np.all(image == OLD, axis=2)
    lower = _lower(image, person, skin, old, _crop_top())
    assert lower is not None and lower.top_shown
    assert lower.mask[205:215, 146:154].all()  # the notch, painted as the jeans
    assert not lower.mask[:205].any() and not lower.mask[:, :140].any()  # nothing else: the photo shows the rest
    out = _dressed(image, person, skin, old)
    for x in range(146, 154):
        assert _near(out[210, x], image[225, x], 30), x  # the jeans' stripes carried up, no skin


def test_above_wide_trousers_the_sides_ease_from_the_waist_to_the_hips() -> None:
    """Wide trousers flare out from the waist as the hips do, upright at the waist and where they meet what shows below
    the old hem: a straight slant from the waist's corner stood out as a box's corner."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[200:395, 76:225] = np.array(DENIM, np.uint8)[(np.arange(76, 225) // 4) % 2][None]
    image[100:OLD_HEM, 70:231] = OLD
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    lower = _lower(image, person, np.zeros((H, W), np.uint8), np.all(image == OLD, axis=2), _crop_top())
    assert lower is not None
    rows = np.flatnonzero(lower.mask.any(axis=1))
    sides = [int(np.flatnonzero(lower.mask[y])[0]) for y in range(rows[0], 231)]  # from its top to the hip joints
    steps = -np.diff(sides)
    assert sides[0] >= 100 and sides[-1] == 76  # at the waist's breadth, then the trousers' below
    assert steps[0] == 0 and steps[-1] <= 1 and steps.max() >= 2  # upright at both ends, flaring between
