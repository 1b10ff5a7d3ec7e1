"""The warped garment's edges: where an arm or hand cuts it, and where its sleeves end. Synthetic images and
poses, drawn here."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import FRONTAL, frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import PAD, Pose, body_frame
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.occlusion import hand_zone, occluders, without_specks
from fittingroom.segment.product import product_mask
from fittingroom.warp_gen.dress import paint_mask
from fittingroom.warp_gen.fit import (
    SEAM_SLACK,
    GarmentFit,
    covered_mask,
    fit_garment,
    flare_beside,
    hanging_room,
    warp_garment,
)
from fittingroom.warp_gen.sleeves import MOST_MITRE, SleeveFit, sleeve_region, sleeved_arms, without_sleeves

H, W = 400, 300
SKIN = (224, 172, 140)
SHADOW = (90, 60, 50)  # a dark fold of skin: not the face's chroma
SHIRT = (40, 90, 200)
BACKDROP = 235


def _arms_at_the_sides() -> Pose:
    """Arms hanging beside the torso (the forearms over a loose shirt's sides), hands seen."""
    return frontal_pose({**{point: (220, 247) for point in (17, 19)}, **{point: (80, 247) for point in (18, 20)}})


def _shopper(pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """Skin head, a loose shirt, and the right forearm over its side with a small dark fold in its skin."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 35, SKIN, -1)
    cv2.rectangle(image, (50, 100), (250, 390), SHIRT, -1)
    elbow, wrist = (np.round(pose.points[i]).astype(int) for i in (lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
    cv2.line(image, tuple(elbow), tuple(wrist), SKIN, 22)
    middle = (elbow + wrist) // 2
    cv2.rectangle(image, tuple(middle - 2), tuple(middle + 2), SHADOW, -1)
    person = (np.abs(image.astype(int) - BACKDROP).sum(axis=2) > 0).astype(np.float32)
    return image, person


def test_an_arm_in_front_cuts_the_garment_along_its_outline_without_holes() -> None:
    pose = _arms_at_the_sides()
    image, person = _shopper(pose)
    body = np.array([pose.points[lm.RIGHT_SHOULDER], pose.points[lm.LEFT_SHOULDER], (180, 260), (120, 260)])
    front = occluders(image, person, pose, np.zeros((H, W), np.uint8), body)
    elbow, wrist = (pose.points[i] for i in (lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
    middle = np.round((elbow + wrist) / 2).astype(int)
    assert front[middle[1], middle[0]] == 1  # the dark fold is the arm's, not a hole in it
    # Its outline is smooth: along the forearm, each cross-section is one run, the arm's width.
    along = (wrist - elbow) / np.linalg.norm(wrist - elbow)
    normal = np.array([-along[1], along[0]])
    for share in (0.3, 0.5, 0.7):
        centre = elbow + share * (wrist - elbow)
        samples = [centre + normal * t for t in np.arange(-20, 21)]
        run = np.array([front[round(y), round(x)] for x, y in samples])
        assert np.count_nonzero(np.diff(run)) == 2 and 18 <= run.sum() <= 26


def test_a_sleeve_covers_its_arm_down_to_its_cuff_and_no_farther() -> None:
    """The sleeve's band ends square at the cuff: the arm below is bare (in front of the bodice), where a
    thick line's round cap covered half a sleeve's width more."""
    fit = GarmentFit(names=(), source=np.zeros((0, 2)), target=np.zeros((0, 2)),
                     body=np.array([(105, 110), (195, 110), (190, 230), (110, 230)]),
                     limbs=((np.array([(195.0, 110.0), (200.0, 160.0)]), 30.0),))
    covered = covered_mask(fit, (H, W))
    assert covered[157, 200] == 1 and covered[157, 212] == 1  # the sleeve, across the arm's width
    assert covered[166, 200] == 0  # just below the cuff: bare arm
    assert covered[100, 195] == 1  # rounded over the shoulder joint


_TEE_MARKS = GarmentLandmarks(Category.UPPER, neck=(150, 40), left_shoulder=(230, 40), right_shoulder=(70, 40),
                              left_armpit=(230, 120), right_armpit=(70, 120), left_cuff=(275, 110),
                              right_cuff=(25, 110), left_hem=(225, 330), right_hem=(75, 330))


def _tee() -> np.ndarray:
    """A tee's silhouette on its catalogue photo, its sleeves standing out and up from the armpits."""
    mask = np.zeros((360, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([(70, 40), (230, 40), (285, 95), (255, 130), (230, 120), (225, 330), (75, 330),
                                  (70, 120), (45, 130), (15, 95)], np.int32)], 1)
    return mask


def _fit_targets(pose: Pose, person: np.ndarray | None = None) -> tuple[tuple[str, ...], np.ndarray]:
    fit = fit_garment(_TEE_MARKS, pose, Category.UPPER, _tee(), person=person)
    return fit.names, fit.target


def test_a_shoulder_seam_goes_out_to_a_hanging_arm_s_outline_not_along_a_held_out_one() -> None:
    """The pose's shoulder joint may lie well inside the arm: the seam goes out to SEAM_SLACK inside the arm's outer
    outline on the person mask (a sleeve laid from a seam inside the arm left its outer half bare beside it); for an
    arm held out the mask runs on along the arm, and the seam stays where the joint puts it."""
    def left_seam(pose: Pose, person: np.ndarray | None) -> np.ndarray:
        names, target = _fit_targets(pose, person)
        return target[names.index("left_shoulder")]

    width = body_frame(frontal_pose()).shoulder_width
    own = left_seam(frontal_pose(), None)
    edge = round(float(own[0]) + 0.15 * width)  # the arm's outer outline, 0.15 shoulder widths out from the seam
    person = np.zeros((H, W), np.float32)
    person[60:, 300 - edge:edge + 1] = 1.0
    seam = left_seam(frontal_pose(), person)
    assert edge - SEAM_SLACK * width - 1.5 <= seam[0] <= edge - SEAM_SLACK * width + 1.5
    raised = frontal_pose({lm.LEFT_ELBOW: (250, 140), lm.LEFT_WRIST: (290, 160)})
    assert left_seam(raised, person)[0] == pytest.approx(left_seam(raised, None)[0])


def test_a_tee_s_sleeves_wrap_the_arms_and_its_sides_run_inside_them() -> None:
    """Arms hanging at the sides: the armpit goes on the arm's inner edge (inside the shoulder joint), the
    sleeve along the arm; the bodice's side is straight, not pinched, between armpit and hem."""
    marks, mask = _TEE_MARKS, _tee()
    pose = frontal_pose()
    fit = fit_garment(marks, pose, Category.UPPER, mask)
    target = dict(zip(fit.names, fit.target, strict=True))
    joint = pose.points[lm.LEFT_SHOULDER]
    assert target["left_armpit"][0] < joint[0] < target["left_shoulder"][0]
    assert target["right_shoulder"][0] < pose.points[lm.RIGHT_SHOULDER][0] < target["right_armpit"][0]
    # The sleeve's end centred on the arm's axis, not beside the arm (where the sleeve was a stub sticking out).
    elbow = pose.points[lm.LEFT_ELBOW]
    axis = (elbow - joint) / np.linalg.norm(elbow - joint)
    sleeve = next(s for s in fit.sleeves if s.side == "left")
    offset = (sleeve.target[1] + sleeve.target[2]) / 2 - joint
    assert abs(float(offset[0] * axis[1] - offset[1] * axis[0])) < 3
    warped = warp_garment(np.full((360, 300, 3), 128, np.uint8), mask, fit, (H, W), np.zeros(mask.shape, bool))
    armpit, hem = target["left_armpit"], target["left_hem"]
    middle = (armpit + hem) / 2
    row = warped.alpha[round(middle[1])] > 0.5
    assert abs(float(np.flatnonzero(row).max()) - middle[0]) <= 3  # the side runs straight to the hem


def test_a_hanging_arm_s_sleeve_is_laid_down_it_on_its_own() -> None:
    """The photo's sleeves stand out and up; on arms hanging at the sides each is warped on its own down its
    arm, from the shoulder seam to its end, centred across the arm (kept at its photo's slant, the sleeve stood
    out beside the arm, where the person mask cut it off and the tee looked sleeveless), bare arm below it,
    nothing above the seam."""
    pose = frontal_pose()
    fit = fit_garment(_TEE_MARKS, pose, Category.UPPER, _tee())
    assert {s.side for s in fit.sleeves} == {"left", "right"}
    assert "left_cuff" not in fit.names and "right_cuff" not in fit.names
    warped = warp_garment(np.full((360, 300, 3), 128, np.uint8), _tee(), fit, (H, W), np.zeros((360, 300), bool))
    joint, elbow = pose.points[lm.LEFT_SHOULDER], pose.points[lm.LEFT_ELBOW]
    sleeve = next(s for s in fit.sleeves if s.side == "left")
    end = (sleeve.target[1] + sleeve.target[2]) / 2
    for share in (0.3, 0.6, 0.9):  # down the arm's bone, the sleeve
        x, y = np.round(joint + share * (end - joint)).astype(int)
        assert warped.alpha[y, x] > 0.5
    reach = float(np.linalg.norm(end - joint))
    along = (elbow - joint) / np.linalg.norm(elbow - joint)
    past = np.round(end + along * 0.3 * reach).astype(int)  # below the sleeve's end: bare arm
    assert warped.alpha[past[1], past[0]] < 0.5
    seam = sleeve.target[0]
    assert warped.alpha[: max(0, round(seam[1]) - 3), round(seam[0]) :].max() < 0.5  # nothing above the seam


def test_the_sleeve_region_is_past_the_root_and_above_the_underside() -> None:
    quad = np.array([(230.0, 40.0), (280.0, 100.0), (258.0, 128.0), (230.0, 120.0)])  # the tee's left sleeve
    region = sleeve_region((360, 300), quad)
    assert region[90, 260] and region[60, 240]  # the sleeve
    assert not region[90, 200]  # the garment's body, inside the root
    assert not region[200, 232]  # the body's side below the armpit, past the root's line


def test_a_sleeve_laid_on_its_own_leaves_the_body_nothing_of_its_cuff() -> None:
    """A sleeve angled up, its cuff flaring into a corner below its underside line (armpit to the end's inner
    corner) but above the armpit: left in the garment's body, the body's spline flung that corner out beside
    the arm as a stray strip. The body's side below the armpit stays, flared past the root's line or not."""
    mask = np.zeros((360, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([(150, 40), (230, 40), (290, 70), (275, 100), (230, 120), (240, 330), (150, 330)],
                                 np.int32)], 1)
    cv2.fillPoly(mask, [np.array([(275, 100), (268, 116), (250, 114)], np.int32)], 1)  # the cuff's corner
    quad = np.array([(230.0, 40.0), (290.0, 70.0), (275.0, 100.0), (230.0, 120.0)])
    sleeve = SleeveFit("left", quad, quad)
    assert not sleeve_region(mask.shape, quad)[114, 262]  # below the underside line
    body = without_sleeves(mask, (sleeve,))
    assert body[:119, 232:].max() == 0  # past the root, above the armpit: sleeve only
    assert body[200, 232] == 1 and body[300, 237] == 1  # the side below the armpit, past the root's line
    assert body[100, 200] == 1


def test_an_arm_held_out_bends_its_sleeve_with_the_garment() -> None:
    """Arms held out from the body (hands on the hips, raised): the garment's one spline takes the sleeves,
    pinned at their cuffs, as before."""
    pose = frontal_pose({lm.LEFT_ELBOW: (255, 150), lm.RIGHT_ELBOW: (45, 150),
                         lm.LEFT_WRIST: (300, 180), lm.RIGHT_WRIST: (0, 180)})
    fit = fit_garment(_TEE_MARKS, pose, Category.UPPER, _tee())
    assert fit.sleeves == ()
    assert "left_cuff" in fit.names and "right_cuff" in fit.names


def test_a_garment_hangs_across_the_narrow_gaps_of_the_silhouette_below_the_shoulders() -> None:
    """A hem across the gap between the legs shows (cut to the person, it took a notch there); beyond the
    silhouette's outline, and above the shoulders' line, the person mask still cuts the garment."""
    person = np.zeros((H, W), np.float32)
    cv2.rectangle(person, (100, 40), (200, 250), 1.0, -1)  # head, torso, hips
    cv2.rectangle(person, (100, 250), (147, 390), 1.0, -1)  # legs, 6 px apart
    cv2.rectangle(person, (153, 250), (200, 390), 1.0, -1)
    cv2.rectangle(person, (40, 60), (90, 70), 1.0, -1)  # a raised hand beside the head, 10 px off it
    room = hanging_room(person, frontal_pose(), _fit())  # shoulder joints at row 110, 90 px apart
    assert room[60, 150] == 1 and room[200, 150] == 1  # on the person
    assert room[300, 150] == 1  # across the gap between the legs
    assert room[65, 95] == 0  # a gap above the shoulders
    assert room[200, 60] == 0 and room[300, 230] == 0  # beyond the silhouette


def _fit(gap: np.ndarray | None = None) -> GarmentFit:
    """A fit with no landmarks; `gap`: the polygon between its trouser legs (none: a dress, a skirt)."""
    return GarmentFit(names=(), source=np.zeros((0, 2)), target=np.zeros((0, 2)), body=np.zeros((0, 2)), limbs=(),
                      gap=gap if gap is not None else np.zeros((0, 2)))


def test_a_dress_longer_than_the_old_one_hangs_across_the_legs_standing_apart_down_to_its_own_hem() -> None:
    """Thighs 30 px apart below the old dress's knee-length hem (a third of the shoulder width, twice HANG_GAP):
    a midi dress hangs as one piece across the gap down to its own hem (cut to the person mask and the narrow
    gaps it had a notch of backdrop between the legs: culottes); a shorter dress, ending above the gap, bares
    the legs and the backdrop between them; trousers part between the legs."""
    person = np.zeros((H, W), np.float32)
    cv2.rectangle(person, (110, 40), (190, 260), 1.0, -1)  # head, torso, hips and the old dress to row 260
    cv2.fillPoly(person, [np.array([(110, 260), (135, 260), (138, 385), (110, 385)])], 1.0)  # the legs, apart:
    cv2.fillPoly(person, [np.array([(165, 260), (190, 260), (190, 385), (162, 385)])], 1.0)  # 30 px at row 260
    pose = frontal_pose()  # hips at row 230, 60 px apart; knees at row 310; ankles at row 385
    long_dress, short_dress = np.zeros((H, W), np.float32), np.zeros((H, W), np.float32)
    cv2.rectangle(long_dress, (105, 100), (195, 340), 1.0, -1)  # a midi hem at row 340
    cv2.rectangle(short_dress, (105, 100), (195, 250), 1.0, -1)  # above the old hem
    nothing = np.zeros((H, W), np.uint8)
    room = hanging_room(person, pose, _fit())
    dressed = paint_mask(long_dress, room, nothing)
    assert dressed[265:340, 150].all() and dressed[300, 136:165].all()  # across the gap, down to its hem
    assert not dressed[345:, 150].any()  # below its own hem: the backdrop between the shins
    assert not dressed[300, 195:].any()  # beside the legs the person mask still trims it
    assert not paint_mask(short_dress, room, nothing)[255:, :].any()  # a shorter dress bares the legs
    trousers = _fit(np.array([(150.0, 250.0), (175.0, 385.0), (125.0, 385.0)]))  # the gap between trouser legs
    assert not hanging_room(person, pose, trousers)[270:, 150].any()  # trousers part between the legs


def test_a_dress_longer_than_the_old_one_shows_its_own_flare_beside_the_legs_from_the_waist_down() -> None:
    """An A-line dress (90 px broad at row 100, 160 px at its hem, row 340) over a knee-length sheath (to row 260):
    past the old hem its skirt hangs beside the legs as broad as its own outline, and up its side over the
    backdrop beside the narrower old dress from the waist down (cut to the legs' outer outline it narrowed
    into a tube; let out past the old hem alone, it stepped out there like a peplum). A shorter dress, ending
    above the old hem, and trousers, whose legs part, keep to the person."""
    person = np.zeros((H, W), np.float32)
    cv2.rectangle(person, (110, 40), (190, 260), 1.0, -1)  # head, torso, hips and the old dress to row 260
    cv2.rectangle(person, (112, 260), (140, 385), 1.0, -1)  # the legs, 20 px apart
    cv2.rectangle(person, (160, 260), (188, 385), 1.0, -1)
    worn = np.zeros((H, W), np.uint8)
    cv2.rectangle(worn, (110, 120), (190, 260), 1, -1)
    pose = frontal_pose()  # hips at row 230, shoulders at row 110: the waist at row 176
    long_dress, short_dress = np.zeros((H, W), np.float32), np.zeros((H, W), np.float32)
    cv2.fillPoly(long_dress, [np.array([(105, 100), (195, 100), (230, 340), (70, 340)])], 1.0)
    cv2.fillPoly(short_dress, [np.array([(105, 100), (195, 100), (210, 250), (90, 250)])], 1.0)
    nothing = np.zeros((H, W), np.uint8)
    flare = flare_beside(long_dress, person, worn, pose, _fit(), Category.DRESS)
    dressed = paint_mask(long_dress, hanging_room(person, pose, _fit()) | flare, nothing)
    assert dressed[300, 78:222].all() and dressed[335, 72:228].all()  # beside the legs, as broad as the dress
    assert dressed[220, 95:205].all()  # beside the old dress, below the waist
    assert not dressed[150, :108].any()  # above the waist the person mask trims the fit's margins
    assert not dressed[300, :75].any() and not dressed[345:, :].any()  # past its own outline: backdrop
    assert not flare_beside(short_dress, person, worn, pose, _fit(), Category.DRESS).any()  # a shorter dress: nothing
    trousers = _fit(np.array([(150.0, 250.0), (175.0, 385.0), (125.0, 385.0)]))
    assert not flare_beside(long_dress, person, worn, pose, trousers, Category.LOWER).any()  # their legs part
    assert flare_beside(long_dress, person, worn, pose, _fit(), Category.LOWER).any()  # a long skirt flares
    assert not flare_beside(long_dress, person, worn, pose, _fit(), Category.UPPER).any()  # a top's sleeves


def test_a_skirt_over_trousers_shows_its_own_flare_beside_the_legs_though_they_reach_past_its_hem() -> None:
    """An A-line skirt (90 px broad at the waist, row 180, 150 px at its hem, row 320) on a shopper in trousers down
    to the ankles (row 385): it flares beside the legs from the waist down as broad as its own outline, though
    the old trousers reach far past its hem (cut to them, it came out a tube down the legs)."""
    person = np.zeros((H, W), np.float32)
    cv2.rectangle(person, (110, 40), (190, 250), 1.0, -1)  # head, torso and hips
    cv2.rectangle(person, (112, 250), (142, 385), 1.0, -1)  # the trouser legs, 16 px apart
    cv2.rectangle(person, (158, 250), (188, 385), 1.0, -1)
    worn = (person > 0).astype(np.uint8)
    worn[:200] = 0  # the trousers from their waistband down
    pose = frontal_pose()  # hips at row 230, shoulders at row 110: the waist at row 176
    skirt = np.zeros((H, W), np.float32)
    cv2.fillPoly(skirt, [np.array([(105, 180), (195, 180), (225, 320), (75, 320)])], 1.0)
    flare = flare_beside(skirt, person, worn, pose, _fit(), Category.LOWER)
    dressed = paint_mask(skirt, hanging_room(person, pose, _fit()) | flare, np.zeros((H, W), np.uint8))
    assert dressed[300, 82:218].all() and dressed[240, 98:202].all()  # beside the legs and hips, as broad as it
    assert not dressed[300, :78].any() and not dressed[325:, :108].any()  # past its own outline: backdrop
    assert not flare_beside(skirt, person, worn, pose, _fit(), Category.DRESS).any()  # a shorter dress: nothing


def test_the_product_mask_s_slanted_side_has_no_staircase() -> None:
    """GrabCut solves the mask at a fraction of the photo's size; scaled up, its slanted edges were stairs of
    two-pixel steps, which the warp carried onto the shopper as a jagged garment edge."""
    image = np.full((600, 450, 3), 240, np.uint8)
    corners = np.array([(150, 60), (300, 60), (380, 560), (70, 560)], np.int32)
    cv2.fillPoly(image, [corners], SHIRT)
    mask = product_mask(image)
    truth = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(truth, [corners], 1)
    rows = range(100, 540)
    for side in (max, min):
        edge = np.array([side(np.flatnonzero(mask[y])) for y in rows])
        assert np.abs(np.diff(edge)).max() <= 1  # the side's slope is 0.16 px a row: steps of 0 or 1 px
    right = np.array([np.flatnonzero(mask[y]).max() for y in rows])
    assert np.abs(right - np.array([np.flatnonzero(truth[y]).max() for y in rows])).max() <= 1


def test_an_arm_held_out_leaves_the_armpit_below_the_seam() -> None:
    """A hand on the hip holds the upper arm away from the side: the armpit stays at the body's side below
    the seam (drawn in over the arm's inner edge, the bodice came out narrower than the body)."""
    hanging = dict(zip(*_fit_targets(frontal_pose({lm.LEFT_ELBOW: (197, 175)})), strict=True))
    akimbo = dict(zip(*_fit_targets(frontal_pose({lm.LEFT_ELBOW: (245, 160)})), strict=True))
    assert akimbo["left_armpit"][0] == pytest.approx(akimbo["left_shoulder"][0], abs=0.5)
    assert hanging["left_armpit"][0] < 195 < hanging["left_shoulder"][0]


def _shoulders_up_to(left_top: float, right_top: float) -> np.ndarray:
    """A person mask: the torso, and above each shoulder joint the body up to the given row."""
    person = np.zeros((H, W), np.float32)
    cv2.rectangle(person, (95, 125), (205, 300), 1.0, -1)
    for joint, top in ((FRONTAL[lm.LEFT_SHOULDER], left_top), (FRONTAL[lm.RIGHT_SHOULDER], right_top)):
        x = round(joint[0])
        cv2.rectangle(person, (x - 12, round(top)), (x + 12, 130), 1.0, -1)
    return person


def test_a_sleeved_garment_s_seams_go_on_the_shoulders_top() -> None:
    """The seams go on the shoulders' top as the person mask shows it (their mean: one side read higher does
    not tilt the garment), never lower than PAD above the joints; a run of person far above a joint is hair
    or the head, not a shoulder, and leaves the seams at PAD."""
    pose = frontal_pose()
    joint_row = FRONTAL[lm.LEFT_SHOULDER][1]
    width = body_frame(pose).shoulder_width

    def seams(person: np.ndarray | None) -> tuple[float, float]:
        target = dict(zip(*_fit_targets(pose, person), strict=True))
        return float(target["left_shoulder"][1]), float(target["right_shoulder"][1])

    at_pad = seams(None)
    assert at_pad[0] == pytest.approx(joint_row - PAD * width, abs=0.5)
    high = seams(_shoulders_up_to(joint_row - 0.22 * width, joint_row - 0.18 * width))
    assert high[0] == pytest.approx(high[1], abs=0.5)  # level
    assert high[0] == pytest.approx(joint_row - 0.2 * width, abs=1.5)
    assert seams(_shoulders_up_to(joint_row - 0.05 * width, joint_row - 0.05 * width)) == pytest.approx(at_pad)
    assert seams(_shoulders_up_to(0, 0)) == pytest.approx(at_pad)  # hair up to the top of the photo


def _long_sleeved_shirt() -> np.ndarray:
    """A shirt's silhouette on its catalogue photo, its long sleeves slanting down and out to the wrists."""
    mask = np.zeros((360, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([(70, 40), (230, 40), (290, 250), (262, 258), (230, 120), (225, 330), (75, 330),
                                  (70, 120), (38, 258), (10, 250)], np.int32)], 1)
    return mask


@pytest.mark.parametrize(("elbow", "wrist"), [((215, 175), (220, 235)), ((215, 175), (200, 230)),
                                              ((215, 175), (175, 215)), ((215, 175), (160, 190)),
                                              ((215, 175), (160, 160)), ((250, 160), (195, 225))],
                         ids=["straight", "bent", "hand in a pocket", "hand on the belly", "hand on the chest",
                              "hand on the hip"])
def test_a_long_sleeve_follows_its_arm_down_past_the_elbow(elbow: tuple[int, int], wrist: tuple[int, int]) -> None:
    """A long sleeve is laid on its own through the elbow however the arm is bent or held out: its edges pass
    either side of the elbow in a mitre (a straight sleeve cut the corner of a bent arm and bared its elbow), its
    top edge round the outside of the bend, and its end on the forearm. Left to the garment's spline, pinned at its
    shoulder and cuff, a sleeve on an arm held out to a hand on the hip (47 degrees out) or folded (a hand on the
    belly, bent 90 degrees and more) lay straight from the shoulder to the wrist, behind the forearm."""
    mask = _long_sleeved_shirt()
    fit = fit_garment(garment_landmarks(mask, Category.UPPER),
                      frontal_pose({lm.LEFT_ELBOW: elbow, lm.LEFT_WRIST: wrist}), Category.UPPER, mask)
    assert "left_cuff" not in fit.names
    sleeve = next(s for s in fit.sleeves if s.side == "left")
    outer, inner = sleeve.target[4], sleeve.target[5]
    joint = np.asarray(elbow, np.float64)
    assert np.linalg.norm((outer + inner) / 2 - joint) < 8
    upper, forearm = joint - np.asarray(FRONTAL[lm.LEFT_SHOULDER]), np.asarray(wrist) - joint
    assert float((outer - joint) @ (forearm / np.linalg.norm(forearm) - upper / np.linalg.norm(upper))) < 0  # outside
    assert float(inner[0]) < joint[0] < float(outer[0])  # every bend here turns in: its outside is away from the body
    # Across the elbow as wide as round a bent tube: the end's width over the cosine of half the bend (a mitre).
    half_bend = np.arccos(float(upper @ forearm) / float(np.linalg.norm(upper) * np.linalg.norm(forearm))) / 2
    end_width = float(np.linalg.norm(sleeve.target[1] - sleeve.target[2]))
    assert float(np.linalg.norm(outer - inner)) == pytest.approx(min(1 / np.cos(half_bend), MOST_MITRE) * end_width,
                                                                 rel=0.03)
    along_forearm = ((sleeve.target[1] + sleeve.target[2]) / 2 - joint) / np.linalg.norm(forearm)
    assert float(along_forearm @ forearm) > 0.3 * np.linalg.norm(forearm)  # the end down the forearm, on its bone
    assert abs(float(along_forearm @ np.array([-forearm[1], forearm[0]]))) < 0.05 * np.linalg.norm(forearm)


def test_a_short_sleeve_on_an_arm_held_out_to_the_hip_stays_with_the_spline() -> None:
    """A tee's sleeve on an upper arm held out (60 degrees, a hand on the hip) is held down to its armpit's level,
    which reaches past the elbow: still a short sleeve (its own length ends above the elbow), the garment's spline
    bends it (laid on its own there, it stood off the shoulder with the backdrop between)."""
    mask = np.zeros((360, 300), np.uint8)  # a tee, its sleeves slanting down from the shoulders
    cv2.fillPoly(mask, [np.array([(70, 40), (230, 40), (275, 130), (248, 142), (230, 122), (225, 330), (75, 330),
                                  (70, 122), (52, 142), (25, 130)], np.int32)], 1)
    fit = fit_garment(garment_landmarks(mask, Category.UPPER),
                      frontal_pose({lm.LEFT_ELBOW: (247, 140), lm.LEFT_WRIST: (190, 215)}), Category.UPPER, mask)
    assert "left" not in {s.side for s in fit.sleeves}
    assert "left_cuff" in fit.names


def test_a_forearm_inside_a_long_sleeve_is_not_in_front_of_it() -> None:
    """Down a hanging arm, a long sleeve laid on its own covers the forearm from the underarm to its end (the
    forearm stays in front of the garment's body otherwise and cut the sleeve off at the elbow); above the
    underarm, and past the sleeve's end (the hand), nothing is taken."""
    mask = _long_sleeved_shirt()
    pose = frontal_pose()
    fit = fit_garment(garment_landmarks(mask, Category.UPPER), pose, Category.UPPER, mask)
    arms = sleeved_arms(fit.sleeves, (H, W), np.zeros((H, W), np.uint8))  # the sleeves' outlines alone
    sleeve = next(s for s in fit.sleeves if s.side == "left")
    elbow, end = np.asarray(FRONTAL[lm.LEFT_ELBOW], np.float64), (sleeve.target[1] + sleeve.target[2]) / 2
    x, y = np.round(elbow + 0.5 * (end - elbow)).astype(int)
    assert arms[y, x] == 1  # the forearm inside the sleeve
    assert not arms[: max(0, round(float(sleeve.target[3][1])) - 6)].any()  # above the underarm (its line is tilted)
    hand = np.round(end + (end - elbow) * 0.5).astype(int)
    assert arms[hand[1], hand[0]] == 0


def test_a_speck_of_skin_on_the_garment_is_no_occluder_but_a_hand_is() -> None:
    """The skin test's specks lying on the new garment (arm skin seen past the old garment's side) would punch
    holes through it; a hand on it, and a speck off it, stay in front."""
    pose = frontal_pose()  # shoulders 90 px apart: a speck is under 0.015 * 90^2 = 121 px
    garment = np.zeros((H, W), np.float32)
    garment[110:250, 100:200] = 1.0
    front = np.zeros((H, W), np.uint8)
    front[150:158, 190:198] = 1  # 64 px on the garment
    front[180:205, 120:145] = 1  # a hand on it, 625 px
    front[150:158, 230:238] = 1  # 64 px beside it
    kept = without_specks(front, garment, pose, [zone.mask for zone in hand_zone(pose, (H, W))])
    assert not kept[150:158, 190:198].any()
    assert kept[180:205, 120:145].all() and kept[150:158, 230:238].all()
