"""The shopper's arms and shoulders fitted to synthetic photos whose arms are known, and their repaint."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.warp_gen.arms import (
    DELTOID_OUTWARD,
    FOREARM_OVER_UPPER,
    SLEEVE_EASE,
    WRIST_TAPER,
    Arms,
    enclosed_specks,
    fit_arms,
    shows_person,
)
from fittingroom.warp_gen.dress import ARM_RIDGE, ARM_SHADE, arm_colour, arm_shading, repaint_uncovered

H, W = 400, 300
BACKDROP = (235, 235, 235)
ARM = (225, 180, 150)  # the shopper's arm skin
FACE = (180, 130, 110)  # the face in shade: darker than the lit arms
TOP = (40, 60, 140)  # a navy top
UPPER, FORE = 24, 18  # the arms' widths in px
SHIFT = 6  # px: the photo's left arm lies this far right of the pose's bones


def _photo(left_skin: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frontal shopper (tests/poses.py) in a navy top: the left arm bare, SHIFT px right of the pose's bones
    (unless `left_skin` is False: then it is hidden); the right arm in a tight navy sleeve on the bones.
    Backdrop shows between each arm and the torso. Returns the image, person mask and skin mask."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, FACE, -1)
    cv2.rectangle(image, (120, 100), (180, 240), TOP, -1)
    cv2.rectangle(image, (105, 100), (195, 125), TOP, -1)  # the shoulders' line
    if left_skin:
        cv2.line(image, (195 + SHIFT, 110), (215 + SHIFT, 175), ARM, UPPER)
        cv2.line(image, (215 + SHIFT, 175), (220 + SHIFT, 235), ARM, FORE)
    cv2.line(image, (105, 110), (85, 175), TOP, UPPER)
    cv2.line(image, (85, 175), (80, 235), TOP, FORE)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = (np.all(image == ARM, axis=2) | np.all(image == FACE, axis=2)).astype(np.uint8)
    return image, person, skin


def test_a_bare_arm_takes_its_width_and_place_from_its_skin() -> None:
    image, person, skin = _photo()
    left = fit_arms(frontal_pose(), image, person, skin).arms[0]
    assert abs(left.radii[0] - UPPER / 2) <= 1.5  # the upper arm's half width at the shoulder
    assert abs(left.radii[2] / WRIST_TAPER - FORE / 2) <= 1.5  # the forearm's, tapered at the wrist
    assert abs(left.joints[1][0] - (215 + SHIFT)) <= 2.0  # the elbow moved onto the photo's arm
    assert np.allclose(left.joints[0], (195, 110))  # the shoulder stays: the neck line hangs on it


def test_an_arm_partly_behind_the_garment_keeps_its_full_width() -> None:
    """Most of the left upper arm hangs behind the top's side: its runs of skin there are narrower, the wider
    ones tell its width (the right arm is out of the pose, so it lends none)."""
    image, person, skin = _photo()
    image[137:180, 190:212] = TOP
    skin[137:180, 190:212] = 0
    pose = frontal_pose()
    pose.visibility[[lm.RIGHT_ELBOW, lm.RIGHT_WRIST]] = 0.0
    left = fit_arms(pose, image, person, skin).arms[0]
    assert abs(left.radii[0] - UPPER / 2) <= 1.0


def test_a_sleeved_arm_alone_takes_its_width_from_the_sleeve_outline() -> None:
    image, person, skin = _photo(left_skin=False)
    right = fit_arms(frontal_pose(), image, person, skin).arms[1]
    assert abs(right.radii[0] - SLEEVE_EASE * UPPER / 2) <= 1.5


def test_an_arm_the_photo_hides_is_as_wide_as_the_other() -> None:
    image, person, skin = _photo()
    pose = frontal_pose()
    pose.visibility[[lm.RIGHT_ELBOW, lm.RIGHT_WRIST]] = 0.0  # the right arm: only its shoulder is seen
    arms = fit_arms(pose, image, person, skin)
    assert len(arms.arms[1].joints) == 1
    assert arms.arms[1].radii[0] == arms.arms[0].radii[0]


def test_the_arms_never_cover_the_backdrop_between_arm_and_body() -> None:
    image, person, skin = _photo()
    mask = fit_arms(frontal_pose(), image, person, skin).mask()
    assert mask[200, 222] and mask[150, 96]  # the bare forearm, the sleeved upper arm
    gap = (person == 0) & (np.arange(W)[None] > 185) & (np.arange(W)[None] < 205) & (np.arange(H)[:, None] > 170)
    assert gap[200].any() and not (mask & gap).any()


def test_the_shoulder_is_rounded_up_to_its_outline_and_no_higher() -> None:
    """A shoulder standing 20 px above its joint: the deltoid reaches its top, and nothing stands above it."""
    image, person, skin = _photo()
    cv2.ellipse(image, (195, 110), (14, 20), 0, 180, 360, TOP, -1)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    mask = fit_arms(frontal_pose(), image, person, skin).mask()
    assert mask[93, 195] and not mask[85, 195]
    assert not mask[95, 211]  # the backdrop beside the shoulder's top: rounded, not a square corner


def test_a_shoulder_whose_top_reads_as_backdrop_stands_as_high_as_the_other() -> None:
    """Both shoulders stand 20 px above their joints, but a pale stripe (the backdrop's colour) runs over the right
    one's top: the rays read it 5 px lower there. Both are drawn up to the higher: the same rise, and the right
    shoulder reaches up to the stripe over its joint (read alone, it stopped 2 px below it)."""
    image, person, skin = _photo()
    for x in (105, 195):
        cv2.ellipse(image, (x, 110), (14, 20), 0, 180, 360, TOP, -1)
    cv2.ellipse(image, (105, 110), (14, 20), 0, 180, 360, BACKDROP, 7)  # the right shoulder's pale stripe
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    arms = fit_arms(frontal_pose(), image, person, skin)
    assert arms.arms[1].rise == arms.arms[0].rise >= 18
    mask = arms.mask()
    assert mask[96, 105] and mask[93, 195]


def test_the_shoulder_leaves_a_straight_neck_along_the_collars_top_without_a_notch() -> None:
    """A neck whose skin runs straight down into a U neckline, the top's shoulders level with the neck's side there:
    the shoulder leaves the neck along the top (read off the neck's skin alone, its way was down the neck, and the top
    beside the neck stood above the outline, a notch of backdrop when repainted)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (95, 84), (205, 240), TOP, -1)
    cv2.rectangle(image, (132, 30), (168, 100), FACE, -1)  # the neck, down into the U
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == FACE, axis=2).astype(np.uint8)
    worn = np.all(image == TOP, axis=2).astype(np.uint8)
    arms = fit_arms(frontal_pose(), image, person, skin, worn)
    mask = arms.mask()
    assert mask[85, 125] and mask[85, 175]  # beside the neck, just below the top's edge
    assert not mask[80, 125] and not mask[80, 175]  # nothing above it
    left, right = (arm.leave for arm in arms.arms)
    assert left is not None and right is not None and left[1] < 0.2 and right[1] < 0.2  # leaving nearly level


def test_a_loose_sleeves_dropped_shoulder_is_no_wider_shoulder() -> None:
    """A boxy tee's shoulder stands far out beside the joint: the shoulder under it reaches DELTOID_OUTWARD
    upper-arm half widths at most, not the sleeve's outline."""
    image, person, skin = _photo()
    cv2.rectangle(image, (80, 95), (110, 140), TOP, -1)  # the right sleeve's square top, 25 px out from its joint
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    right = fit_arms(frontal_pose(), image, person, skin).arms[1]
    assert right.deltoid <= DELTOID_OUTWARD * right.radii[0] + 1e-6
    assert right.deltoid < 25


def test_shows_person_reaches_past_a_soft_mask_only_onto_what_is_not_backdrop() -> None:
    image, person, _ = _photo()
    shrunk = cv2.erode(person, np.ones((7, 7), np.uint8))  # a person mask 3 px inside the photo's outline
    reach = shows_person(image, shrunk, 5.0)
    assert reach[200, 222 + FORE // 2 - 1]  # the forearm's own edge, which the mask cut off
    assert not reach[200, 222 + FORE // 2 + 2]  # the backdrop beside it


def test_an_arm_is_shaded_as_a_cylinder_about_its_bone_whatever_outline_the_repaint_cuts() -> None:
    image, person, skin = _photo()
    arms = fit_arms(frontal_pose(), image, person, skin)
    bare = arms.mask()
    bare[140:200, 225:240] = False  # a ragged cut on the arm's outer side (an old sleeve's edge)
    torso = (np.abs(np.arange(W)[None] - 150) < 30) & (np.arange(H)[:, None] > 100)
    shade, limb = arm_shading(bare, bare | torso, arms)
    elbow = arms.arms[0].joints[1]
    x, y = round(elbow[0]), 160
    assert abs(float(shade[y + 60, x + 2]) - ARM_RIDGE) < 0.06  # on the forearm's bone
    assert float(shade[220, x + 2 - 7]) < float(shade[220, x + 2]) - 0.05 > ARM_SHADE - 0.1  # towards its side
    assert limb[220, x + 2] > 0.9 and limb[170, 150] < 0.05  # the arm, and not the torso


def test_a_bared_arm_takes_the_tone_of_the_shoppers_visible_arm_skin_not_the_face() -> None:
    """A navy sleeve over the left upper arm: replaced by a sleeveless garment, it is painted in the forearm's
    tone along its bone, not the darker face's."""
    image, person, skin = _photo()
    sleeve = np.zeros((H, W), np.uint8)
    cv2.line(sleeve, (195 + SHIFT, 110), (215 + SHIFT, 175), 1, UPPER + 4)
    sleeve = (sleeve > 0) & (person > 0)
    image[sleeve] = TOP
    skin[sleeve] = 0
    arms = fit_arms(frontal_pose(), image, person, skin)
    body = arms.mask() | (np.abs(np.arange(W)[None] - 150) < 30) & (np.arange(H)[:, None] > 100)
    out = repaint_uncovered(image, sleeve, body.astype(np.uint8), skin, sleeve | np.all(image == TOP, axis=2),
                            arms=arms)
    ridge = out[145, 206 + SHIFT // 2].astype(float)
    assert np.abs(ridge - np.array(ARM) * ARM_RIDGE).max() <= 20
    assert np.abs(ridge - np.array(FACE)).max() > 30


def test_specks_the_hole_encloses_are_taken_and_the_rest_left() -> None:
    hole = np.zeros((60, 60), bool)
    hole[10:50, 10:50] = True
    hole[20:23, 20:23] = False  # a speck of pink cloth taken for skin
    hole[10:50, 40:50] = False  # a visible arm beside the hole, open to the outside
    specks = enclosed_specks(hole, np.ones_like(hole), 20, 0)
    assert specks[20:23, 20:23].all() and specks.sum() == 9
    rim = enclosed_specks(hole, np.ones_like(hole), 20, 2) & ~specks
    assert rim[10:50, 40:42].all() and not rim[:, 42:].any()  # the arm's edge next to the hole, 2 px of it


def test_a_bared_arm_takes_the_colour_of_the_nearest_visible_skin_along_its_bone() -> None:
    """The lit upper arm is paler than the forearm: a bared elbow between them takes each one's colour next to
    it, not one tone for the whole arm (which met the visible upper arm with a seam)."""
    image, person, skin = _photo()
    pale = (240, 205, 180)
    upper = np.zeros((H, W), np.uint8)
    cv2.line(upper, (195 + SHIFT, 110), (215 + SHIFT, 175), 1, UPPER)
    image[(upper > 0) & (skin > 0)] = pale
    arms = fit_arms(frontal_pose(), image, person, skin)
    colour = arm_colour(image, skin, arms)
    assert colour is not None
    assert np.abs(colour[130, 203 + SHIFT] * ARM_RIDGE - pale).max() <= 12  # beside the upper arm
    assert np.abs(colour[225, 221 + SHIFT] * ARM_RIDGE - ARM).max() <= 12  # beside the forearm


def test_a_bared_forearm_meets_the_visible_hand_without_a_pale_seam() -> None:
    """An old sleeve bared down to the visible hand below it: the repaint joins the hand across its whole
    width, neither rounded off at the corners nor blended with the backdrop along the join."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[100:300, 120:160] = TOP  # the sleeve
    image[300:360, 120:160] = ARM  # the hand
    sleeve = np.zeros((H, W), bool)
    sleeve[100:300, 120:160] = True
    skin = np.zeros((H, W), np.uint8)
    skin[300:360, 120:160] = 1
    # As the classical composite calls it: the backdrop is filled from the backdrop only, not from skin.
    out = repaint_uncovered(image, sleeve, sleeve.astype(np.uint8), skin, sleeve | (skin > 0)).astype(int)
    join = out[299, 120:160]
    assert (join.sum(axis=1) < sum(BACKDROP) - 60).all()  # skin to the corners, no backdrop in it


def bared_right_sleeve() -> tuple[np.ndarray, np.ndarray]:
    """The navy right sleeve (on the image's left) replaced by a sleeveless garment: the sleeve's mask and the
    repainted photo."""
    image, person, skin = _photo()
    arms = fit_arms(frontal_pose(), image, person, skin)
    sleeve = (np.all(image == TOP, axis=2) & (np.arange(W)[None] < 110)) & (np.arange(H)[:, None] > 130)
    body = arms.mask() | (np.abs(np.arange(W)[None] - 150) < 30) & (np.arange(H)[:, None] > 100)
    out = repaint_uncovered(image, sleeve, body.astype(np.uint8), skin, sleeve | np.all(image == TOP, axis=2),
                            arms=arms)
    return sleeve, out


def test_a_bared_arm_is_round_across_not_a_flat_tube() -> None:
    """The navy right sleeve replaced by a sleeveless garment: the bared forearm is lit along its bone and darkens
    gradually towards both sides of its outline (as catalogue shoppers' arms do), not one tone lifted to its ridge's
    brightness all across."""
    sleeve, out = bared_right_sleeve()
    row = 205
    across = np.flatnonzero(sleeve[row])
    luma = out[row, across].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    ridge = float(luma.max())
    assert float(luma[1]) < 0.92 * ridge and float(luma[-2]) < 0.92 * ridge  # both sides darker than the bone
    quarter = len(across) // 4  # a quarter of the way in from each side: already below the ridge
    assert float(luma[quarter]) < 0.97 * ridge and float(luma[-1 - quarter]) < 0.97 * ridge
    # Lit best a little inward of its bone: its outer side (away from the body, here the left) turns from the light.
    assert float(luma[quarter]) < float(luma[-1 - quarter]) - 2.0
    inside = luma[1:-1]  # its outline's pixels are part backdrop
    assert len(inside) / 2 - 0.5 < float(np.argmax(inside)) <= 0.8 * len(inside)


def test_an_arms_outline_swells_below_the_elbow_and_tapers_to_the_wrist() -> None:
    """A real forearm is widest a little below the elbow: the fitted outline is wider there than the straight
    line between its elbow's and wrist's widths."""
    image, person, skin = _photo()
    left = fit_arms(frontal_pose(), image, person, skin).arms[0]
    mask = Arms(arms=(left,), shape=(H, W), on_person=np.ones((H, W), bool)).mask(shoulders=False)
    elbow, wrist = left.joints[1], left.joints[2]
    below = elbow + 0.3 * (wrist - elbow)
    width = int(mask[round(below[1])].sum())
    straight = 2 * (left.radii[1] + 0.3 * (left.radii[2] - left.radii[1]))
    assert width >= straight + 1.5


def test_an_upper_arm_bared_only_near_its_elbow_is_as_wide_there_as_the_photo_shows() -> None:
    """The right arm (a plus-size shopper's, akimbo) is half as wide again as the left, and a loose short sleeve hides
    it down to three quarters of its upper arm: too little of its skin for the usual span, it took the left arm's width
    all along, and the bared arm met its own skin below the hem in a step. Measured on that skin, its elbow end is as
    wide as the photo shows it; its shoulder, and the left arm, keep their widths."""
    image, person, skin = _photo()
    wide = round(1.5 * UPPER)
    cv2.line(image, (105, 110), (85, 175), ARM, wide)  # the right upper arm, bare below the sleeve
    cv2.line(image, (85, 175), (80, 235), ARM, FORE)
    sleeve = np.array([[95, 98], [118, 104], [108, 160], [78, 154]], np.int32)  # loose, its hem at y 154-160
    cv2.fillPoly(image, [sleeve], TOP)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = (np.all(image == ARM, axis=2) | np.all(image == FACE, axis=2)).astype(np.uint8)
    left, right = fit_arms(frontal_pose(), image, person, skin).arms
    assert abs(right.radii[1] - wide / 2) <= 2.0  # the elbow end: the arm below the hem
    assert abs(right.radii[0] - UPPER / 2) <= 1.5  # the shoulder end: as the other arm's
    assert abs(left.radii[0] - UPPER / 2) <= 1.5 and left.radii[1] < wide / 2 - 3  # the left arm: its own


MESH = (30, 30, 30)  # a black mesh top: neutral
SEEN = (62, 46, 40)  # the arm's skin seen through it: darker, but as warm as skin
SLEEVE_UPPER, SLEEVE_FORE = 34, 28  # the loose mesh sleeves' widths in px
THIN_UPPER, THIN_FORE = 20, 14  # a slim shopper's arms in them


def _sheer_photo(seen: tuple[bool, bool, bool, bool] = (True, True, True, True), through: tuple[int, int, int] = SEEN,
                 face: tuple[int, int, int] = FACE) -> tuple[np.ndarray, ...]:
    """Frontal shopper in a black mesh top with loose long sleeves, each arm seen through them (`seen`: the left upper
    arm, left forearm, right upper arm, right forearm), THIN_UPPER and THIN_FORE wide on the pose's bones, and the
    midriff, in the colour `through`; the `face` the only visible skin. Returns the image, person mask, skin mask and
    the worn top's mask."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, face, -1)
    cv2.rectangle(image, (120, 100), (180, 240), MESH, -1)
    cv2.rectangle(image, (105, 100), (195, 125), MESH, -1)
    cv2.rectangle(image, (130, 150), (170, 230), through, -1)  # the midriff seen through the mesh
    arms = (((195, 110), (215, 175)), ((215, 175), (220, 235)), ((105, 110), (85, 175)), ((85, 175), (80, 235)))
    for (a, b), width in zip(arms, (SLEEVE_UPPER, SLEEVE_FORE) * 2, strict=True):
        cv2.line(image, a, b, MESH, width)
    for (a, b), width, shows in zip(arms, (THIN_UPPER, THIN_FORE) * 2, seen, strict=True):
        if shows:
            cv2.line(image, a, b, through, width)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == face, axis=2).astype(np.uint8)
    worn = (person > 0) & (skin == 0) & (np.arange(H)[:, None] > 95)
    return image, person, skin, worn.astype(np.float32)


def test_an_arm_in_a_sheer_sleeve_takes_its_width_from_the_skin_seen_through_not_the_sleeve() -> None:
    """A loose black mesh sleeve: the arm in it shows as its warmer pixels; the sleeve's outline (eased) stood half as
    wide again, and the bared arm was painted as wide as the sleeve."""
    image, person, skin, worn = _sheer_photo()
    for arm in fit_arms(frontal_pose(), image, person, skin, worn).arms:
        assert abs(arm.radii[0] - THIN_UPPER / 2) <= 1.0
        assert abs(arm.radii[2] / WRIST_TAPER - THIN_FORE / 2) <= 1.0


def test_an_upper_arm_neither_sheer_sleeve_shows_takes_the_forearm_seen_on_either_arm_in_proportion() -> None:
    """Only the left forearm shows through the mesh: both upper arms are as wide as it gives in proportion, not the
    sleeves' outline, nor (the right arm, whose forearm shows nothing either) the body's proportions."""
    image, person, skin, worn = _sheer_photo(seen=(False, True, False, False))
    for arm in fit_arms(frontal_pose(), image, person, skin, worn).arms:
        assert abs(arm.radii[0] - THIN_FORE / 2 / FOREARM_OVER_UPPER) <= 1.0


def test_the_skin_seen_through_a_sheer_sleeve_is_told_on_a_darker_exposure_too() -> None:
    """Darker, the photo's chroma is dimmer all over: the skin seen through the mesh stands 4 warmth levels above it
    (6 on the development photo), the face 30 (46). Against a fixed spread of warmth the sleeve read as opaque and
    the arm took its outline; against the face's warmth it is sheer as on the brighter photo."""
    image, person, skin, worn = _sheer_photo(through=(44, 40, 38), face=(150, 118, 104))
    for arm in fit_arms(frontal_pose(), image, person, skin, worn).arms:
        assert abs(arm.radii[0] - THIN_UPPER / 2) <= 1.0


def test_an_outline_asked_for_again_is_the_same_and_changing_one_changes_no_other() -> None:
    """Each outline is drawn once per fit (the composite and the repaint ask for the same ones): what a caller does
    with its copy is its own."""
    image, person, skin = _photo()
    arms = fit_arms(frontal_pose(), image, person, skin)
    first = arms.mask()
    first[:] = False
    again = arms.mask()
    assert again.any() and np.array_equal(again, arms.mask())
    assert not np.array_equal(arms.mask(shoulders=False, hands=False), again)
