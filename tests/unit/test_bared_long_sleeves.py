"""A shopper in long dark sleeves dressed in a short-sleeved garment, on synthetic photos whose arms are known: the
bared arms hang in front of the new garment's side (`Arms.bared`, where the new sleeves end: `sleeve_ends`), the
gap to its edge is the arm's (`under_garment`), the garment's side hangs across the gap between the arm and the
waist (`behind_arms`), the old cuff's corner is repainted (`sleeve_remnants`), the arms
are measured on the old sleeves, not a skirt beside them (`fit_arms` with `worn`), and their colour is the body's,
not the hands' (`arm_colour`), but for the hand's own at the wrist, fading up the arm (`hand_tone`)."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common.garment import Category
from fittingroom.segment.occlusion import occluders
from fittingroom.tryon.classical import WARPED, ClassicalGarmentPipeline
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.arms import SLEEVE_EASE, behind_arms, fit_arms, hand_tone, sleeve_remnants, under_garment
from fittingroom.warp_gen.dress import arm_colour, arm_shading, repaint_uncovered
from fittingroom.warp_gen.fit import GarmentFit, WarpedGarment, covered_mask
from fittingroom.warp_gen.sleeves import SLEEVE_END_SHARE, SleeveFit, sleeve_ends

H, W = 400, 300
BACKDROP = (235, 235, 235)
SLEEVE = (25, 25, 30)  # a black long-sleeved top
FACE = (200, 150, 125)
HAND = (235, 190, 175)  # hands: pinker and paler than the arms
ARM = (200, 150, 120)  # the shopper's arm skin
SKIRT = (150, 110, 60)
UPPER, FORE = 24, 18  # the arms' widths in px
# The pose's bones (tests/poses.py): shoulder, elbow, wrist of the wearer's left arm (the photo's right) and right.
LEFT = ((195, 110), (215, 175), (220, 235))
RIGHT = ((105, 110), (85, 175), (80, 235))


def _shopper() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Frontal shopper (tests/poses.py) in a black top with long sleeves down to the wrists, a hand below each;
    backdrop between the arms and the torso. Returns the image, person mask, skin and the top's mask."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, FACE, -1)
    for shoulder, elbow, wrist in (LEFT, RIGHT):
        cv2.circle(image, (wrist[0], wrist[1] + 14), 9, HAND, -1)
        cv2.line(image, shoulder, elbow, SLEEVE, UPPER)
        cv2.line(image, elbow, wrist, SLEEVE, FORE)
    cv2.rectangle(image, (120, 100), (180, 240), SLEEVE, -1)
    cv2.rectangle(image, (105, 100), (195, 125), SLEEVE, -1)  # the shoulders' line
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = (np.all(image == HAND, axis=2) | np.all(image == FACE, axis=2)).astype(np.uint8)
    return image, person, skin, np.all(image == SLEEVE, axis=2)


def _short_sleeve_ends() -> tuple[tuple[np.ndarray, None], tuple[np.ndarray, None]]:
    """A new tee's sleeves ending a third of the way down each upper arm (along the bone there)."""
    return tuple((np.add(shoulder, np.subtract(elbow, shoulder) / 3.0), None)  # type: ignore[return-value]
                 for shoulder, elbow, _ in (LEFT, RIGHT))


def test_arms_the_old_sleeves_hid_are_bared_past_the_new_sleeves_end() -> None:
    image, person, skin, worn = _shopper()
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    bared = arms.bared(worn, _short_sleeve_ends())
    for shoulder, elbow, wrist in (LEFT, RIGHT):
        below_end = np.add(shoulder, np.subtract(elbow, shoulder) * 0.6).round().astype(int)
        forearm = np.add(elbow, wrist) // 2
        assert bared[below_end[1], below_end[0]] and bared[forearm[1], forearm[0]]
        above_end = np.add(shoulder, np.subtract(elbow, shoulder) * 0.15).round().astype(int)
        assert not bared[above_end[1], above_end[0]]  # still inside the new sleeve
    assert not bared[200, 150] and not (bared & (person == 0)).any()  # not the torso, never the backdrop


def test_an_arm_a_short_old_sleeve_left_bare_at_the_elbow_is_left_to_its_skin() -> None:
    """The old top's sleeves end above the elbow: the arm below shows its skin, which keeps it in front already;
    nothing of it is bared here."""
    image, person, skin, _ = _shopper()
    for shoulder, elbow, wrist in (LEFT, RIGHT):
        halfway = tuple(np.add(shoulder, elbow) // 2)
        cv2.line(image, halfway, elbow, ARM, UPPER)
        cv2.line(image, elbow, wrist, ARM, FORE)
    skin = (skin > 0) | np.all(image == ARM, axis=2)
    worn = np.all(image == SLEEVE, axis=2)
    arms = fit_arms(frontal_pose(), image, person, skin.astype(np.uint8), worn)
    assert not arms.bared(worn, _short_sleeve_ends()).any()


def test_a_forearm_under_the_old_garment_is_not_sleeved_when_its_upper_arm_is_bare() -> None:
    """A sleeveless top: the upper arms show skin, and a forearm that reaches over the top's side at the wrist (a
    hand in a pocket) is not sleeved by it: nothing is bared."""
    image, person, skin, _ = _shopper()
    for shoulder, elbow, wrist in (LEFT, RIGHT):
        cv2.line(image, shoulder, elbow, ARM, UPPER)
        cv2.line(image, elbow, wrist, ARM, FORE)
    worn = np.all(image == SLEEVE, axis=2)
    worn[205:245, 60:240] = True  # the old top's outline reaches over both forearms at the wrist
    skin = ((skin > 0) | np.all(image == ARM, axis=2)).astype(np.uint8)
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    assert not arms.bared(worn, _short_sleeve_ends()).any()


def test_no_place_where_the_new_garment_ends_bares_nothing() -> None:
    image, person, skin, worn = _shopper()
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    assert not arms.bared(worn, (None, None)).any()


def test_the_old_cuff_past_the_wrist_is_bared_with_its_forearm_but_not_the_hand() -> None:
    image, person, skin, worn = _shopper()
    cv2.rectangle(image, (212, 235), (228, 240), SLEEVE, -1)  # the left cuff reaches past the wrist joint
    worn = np.all(image == SLEEVE, axis=2)
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    bared = arms.bared(worn, _short_sleeve_ends())
    assert bared[239, 220]
    assert not (bared & (skin > 0)).any()


def test_sleeve_ends_lie_at_a_laid_sleeves_cuff_a_bent_sleeves_cuff_or_the_armpit() -> None:
    seam, outer, inner, underarm = (np.array(p, np.float64) for p in ((200, 110), (225, 150), (201, 156), (190, 140)))
    laid = SleeveFit("left", source=np.zeros((4, 2)), target=np.array([seam, outer, inner, underarm]))
    ends = sleeve_ends((laid,), ("right_armpit",), np.array([[100.0, 150.0]]))
    left, right = ends
    assert left is not None and right is not None
    point, down = left
    assert down is not None and abs(float(down @ (outer - inner))) < 1e-6  # across the sleeve's end
    middle = (outer + inner) / 2
    assert float((middle - seam) @ down) > 0  # pointing away from the shoulder, down the arm
    past = float((point - middle) @ down)
    assert abs(past - (1 - SLEEVE_END_SHARE) / SLEEVE_END_SHARE * float((middle - seam) @ down)) < 1e-6
    assert np.allclose(right[0], (100, 150)) and right[1] is None  # no sleeve on that side: its armpit
    spline = sleeve_ends((), ("left_cuff", "left_armpit"), np.array([[210.0, 160.0], [190.0, 140.0]]))
    assert spline[0] is not None and np.allclose(spline[0][0], (210, 160)) and spline[1] is None


def test_the_gap_between_a_bared_arm_and_the_garment_beside_it_is_the_arms() -> None:
    paint = np.zeros((H, W), np.uint8)
    paint[100:300, 100:150] = 1
    bared = np.zeros((H, W), bool)
    bared[100:300, 154:170] = True  # 4 px from the garment's edge
    bared[100:300, 200:216] = True  # 50 px from it: the backdrop between is no gap to close
    edge = np.zeros((H, W), bool)
    edge[100:300, 147:150] = True  # the garment's anti-aliased edge
    behind = under_garment(paint, np.zeros((H, W), bool), bared, np.ones((H, W), bool))
    assert behind[200, 150:154].all() and not behind[200, 171:200].any() and not behind[200, :150].any()
    assert not under_garment(paint, np.zeros((H, W), bool), bared, np.zeros((H, W), bool)).any()  # on the person
    assert under_garment(paint, edge, bared, np.zeros((H, W), bool))[200, 147:150].all()  # the edge beside the arm
    assert not under_garment(paint, edge, np.zeros((H, W), bool), np.ones((H, W), bool)).any()  # no arm, no gap


def test_the_old_cuffs_corner_the_worn_mask_left_out_is_found_and_the_hand_is_not() -> None:
    image, person, skin, worn = _shopper()
    coarse = worn.copy()
    coarse[228:236, 226:232] = False  # the worn mask, solved coarsely, misses the cuff's outer corner
    image[236, 229] = ((np.array(SLEEVE) + np.array(BACKDROP)) // 2).astype(np.uint8)  # its anti-aliased edge
    person[236, 229] = 1.0
    arms = fit_arms(frontal_pose(), image, person, skin, coarse)
    bared = arms.bared(coarse, _short_sleeve_ends())
    found = sleeve_remnants(image, bared, coarse, skin, arms.on_person)
    corner = worn & ~coarse
    assert found[corner].mean() > 0.8 and found[236, 229]
    assert not (found & (skin > 0)).any() and not (found & (person == 0)).any()


def test_an_arm_beside_a_skirt_is_measured_on_its_sleeve_not_the_skirt() -> None:
    """The left forearm's sleeve lies 5 px outward of the pose's bone, a skirt against its inner side: the person
    mask runs from the skirt into the sleeve (no measure), the old top's mask shows the sleeve alone."""
    image, person, skin, _ = _shopper()
    image[160:260, 200:235] = BACKDROP
    cv2.rectangle(image, (150, 180), (216, 300), SKIRT, -1)
    cv2.line(image, (220, 175), (225, 235), SLEEVE, FORE)  # the forearm's sleeve, 5 px off the bone
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    worn = np.all(image == SLEEVE, axis=2)
    left = fit_arms(frontal_pose(), image, person, skin, worn).arms[0]
    assert left.joints[2][0] > 223.5  # the wrist moved onto the sleeve's middle (at 225)
    assert abs(left.radii[2] / 0.8 - SLEEVE_EASE * FORE / 2) <= 2.0  # as wide as the sleeve, eased
    unmoved = fit_arms(frontal_pose(), image, person, skin).arms[0]
    assert unmoved.joints[2][0] < 221.0  # on the person's outline alone: no measure, the pose's bone


def test_a_bared_arms_colour_is_not_taken_from_the_hand() -> None:
    """Only the hands show skin: the arms take no colour of their own (the body's tone is theirs), not the
    hands' pinker, paler one."""
    image, person, skin, worn = _shopper()
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    assert arm_colour(image, skin, arms) is None
    # With its forearm bare, the arm takes the forearm's colour, down to the wrist where the hand begins.
    for _, elbow, wrist in (LEFT, RIGHT):
        cv2.line(image, elbow, wrist, ARM, FORE)
    skin = ((skin > 0) | np.all(image == ARM, axis=2)).astype(np.uint8)
    colour = arm_colour(image, skin, arms)
    assert colour is not None
    assert np.abs(colour[225, 219] - ARM).max() <= 12


def test_a_bared_arm_takes_its_hands_colour_fading_up_the_arm() -> None:
    """Only the hands show skin: each arm takes its own hand's colour at the wrist, less of it up the arm (the body's
    tone at the shoulder); with no hand in sight, none."""
    image, person, skin, worn = _shopper()
    image[np.all(image == HAND, axis=2) & (np.arange(W) > W // 2)[None]] = ARM  # the left hand darker than the right
    skin = ((skin > 0) | np.all(image == ARM, axis=2)).astype(np.uint8)
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    found = hand_tone(image, skin, arms)
    assert found is not None
    colour, near = found
    for (shoulder, elbow, wrist), tone in ((LEFT, ARM), (RIGHT, HAND)):
        above_wrist = np.add(np.multiply(elbow, 0.2), np.multiply(wrist, 0.8)).round().astype(int)
        assert np.abs(colour[above_wrist[1], above_wrist[0]] - tone).max() <= 12
        assert near[above_wrist[1], above_wrist[0]] > 0.7 > near[elbow[1], elbow[0]] > near[shoulder[1], shoulder[0]]
    no_hands = (skin > 0) & ~np.all(image == HAND, axis=2) & ~np.all(image == ARM, axis=2)
    assert hand_tone(image, no_hands.astype(np.uint8), arms) is None


def test_arms_bared_from_long_sleeves_are_painted_in_the_hands_tone_at_the_wrist_the_bodys_above() -> None:
    """Both sleeves bared whole, only the hands and the face showing skin: a forearm near its wrist takes the hand's
    colour (it was the face's, darker and yellower: a strip paler than the hand became a tan strip darker than it), the
    upper arm stays nearer the body's tone."""
    image, person, skin, worn = _shopper()
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    sleeves = worn & arms.mask(shoulders=False)
    body = arms.mask() | (np.abs(np.arange(W)[None] - 150) < 30) & (np.arange(H)[:, None] > 100)
    out = repaint_uncovered(image, sleeves, body.astype(np.uint8), skin, worn | (skin > 0), arms=arms).astype(float)
    for shoulder, elbow, wrist in (LEFT, RIGHT):
        forearm = np.add(np.multiply(elbow, 0.3), np.multiply(wrist, 0.7)).round().astype(int)
        assert np.abs(out[forearm[1], forearm[0]] - HAND).max() <= 12
        upper = np.add(np.multiply(shoulder, 0.4), np.multiply(elbow, 0.6)).round().astype(int)
        assert np.abs(out[upper[1], upper[0]] - FACE).max() < np.abs(out[upper[1], upper[0]] - HAND).max()


def test_the_new_garment_hangs_across_the_gap_between_the_waist_and_a_bared_arm() -> None:
    """Backdrop between each arm and the torso (up to 27 px; a quarter of the shoulder width, 35 px, is the most):
    the new garment's side may hang across it behind a bared arm, not across the backdrop outside the arm, nor
    beside an arm not bared."""
    image, person, skin, worn = _shopper()
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    bared = arms.bared(worn, (_short_sleeve_ends()[0], None))  # only the left arm (the photo's right) is bared
    room = behind_arms(person, bared, 140.0)
    assert room[200, 195] and (person[200, 181:205] == 0).any()  # the gap between the torso and the left forearm
    assert not room[200, 240:].any() and not (room & (person > 0.5)).any()  # not outside the arm, not the person
    assert not room[200, :120].any()  # the right arm is not bared: the gap beside it stays the backdrop
    assert not behind_arms(person, np.zeros_like(bared), 140.0).any()


def test_a_tee_on_a_long_sleeved_shopper_bares_her_arms_in_front_of_its_sides() -> None:
    """The whole warped dressing: a new tee whose sleeves end a third of the way down the upper arms and whose
    sides the fit laid over the arms' inner halves (as it does behind a hanging arm). Below the sleeves the arms are
    skin all across, in front of the tee; the tee still covers the torso."""
    pose = frontal_pose({point: (x, y + 12) for hand, (x, y) in (((17, 19), LEFT[2]), ((18, 20), RIGHT[2]))
                         for point in hand})
    image, person, _, worn = _shopper()
    tee = np.zeros((H, W), np.uint8)
    cv2.rectangle(tee, (85, 100), (215, 250), 1, -1)  # its body, over the arms' inner halves beside the torso
    ends = _short_sleeve_ends()
    for (shoulder, _, _), (end, _) in zip((LEFT, RIGHT), ends, strict=True):
        cv2.line(tee, shoulder, tuple(np.round(end).astype(int)), 1, UPPER + 6)  # its short sleeves
    image_tee = np.zeros((H, W, 3), np.uint8)
    image_tee[tee > 0] = (240, 200, 0)
    names = ("left_cuff", "right_cuff")
    torso = np.array([[120, 100], [180, 100], [180, 240], [120, 240]], np.float64)
    fit = GarmentFit(names=names, source=np.zeros((2, 2)), target=np.array([end for end, _ in ends]), body=torso,
                     limbs=())
    warped = WarpedGarment(image=image_tee, alpha=tee.astype(np.float32), fit=fit, laid=np.zeros((H, W), np.uint8))
    request = GarmentRequest(image, image, Category.UPPER)
    front = occluders(image, person, pose, covered_mask(fit, (H, W)), torso)
    dressed = ClassicalGarmentPipeline.composite(request, person, pose, warped, front, worn.astype(np.uint8))
    assert dressed.dressing == WARPED
    for _, elbow, wrist in (LEFT, RIGHT):
        across = np.add(elbow, wrist) // 2  # the forearm's middle, beside the tee's side
        for x in range(across[0] - FORE // 2 + 3, across[0] + FORE // 2 - 2):
            pixel = dressed.image[across[1], x].astype(int)
            assert np.abs(pixel - ARM).max() < 60, (x, pixel)  # skin, neither the tee nor the black sleeve
        assert dressed.paint[across[1], across[0]] == 0
    assert dressed.paint[200, 150] == 1 and np.abs(dressed.image[200, 150].astype(int) - (240, 200, 0)).max() < 60


def test_an_arm_beside_the_covered_torso_is_all_arm() -> None:
    """Beside a torso the new garment covers, a bared arm takes its own light to its inner edge: blended with the
    torso's shading there (which is no skin here), its inner side was a brown band."""
    image, person, skin, worn = _shopper()
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    bare = arms.mask(shoulders=False, hands=False) & (np.arange(H)[:, None] > 150)
    torso = np.zeros((H, W), bool)
    torso[100:300, 110:200] = True  # the body under the new garment, reaching the arms
    _, limb = arm_shading(bare, bare | torso, arms)
    assert limb[200, 210:222].min() > 0.95  # the left forearm, to its inner edge beside the torso
    _, shared = arm_shading(bare | torso, bare | torso, arms)
    assert shared[200, 210] > 0.95  # a bare torso beside it: below its armpit still all arm, parted by a shade line
