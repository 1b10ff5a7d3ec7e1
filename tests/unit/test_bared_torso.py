"""The skin a smaller top bares, on synthetic shoppers whose shapes and light are known: a shoulder that slopes from
the neck into the deltoid without a corner, an arm hanging beside the bared torso parted from it by a shade line, and
a torso whose sides turn from the light as much as the shopper's own arms' sides do."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.warp_gen.arms import ARMPIT, NECK_HALF, fit_arms
from fittingroom.warp_gen.dress import (
    ARM_CAST_SHADE,
    TORSO_LIGHT,
    TORSO_SHADE,
    arm_shading,
    torso_shading,
    torso_side,
)
from fittingroom.warp_gen.limb_light import SIDE_RANGE, side_light

H, W = 400, 300
BACKDROP = (235, 235, 235)
SKIN = (225, 180, 150)
TOP = (40, 60, 140)
SHOULDER_WIDTH = 90.0  # tests/poses.py: the shoulder joints at (105, 110) and (195, 110)


def _tee_shopper(neck_flare: bool = False, collar: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A boxy navy tee whose square shoulders stand 25 px above the joints' line (rows 85 on) and 30 px past them,
    its sleeves to the elbows;
    bare forearms, a bare neck (flaring into the shoulders against the backdrop down to the tee with `neck_flare`;
    the tee's collar up round it with `collar`). Returns the image, the person mask and the skin mask."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 40), 25, SKIN, -1)
    cv2.rectangle(image, (137, 40), (163, 90), SKIN, -1)  # the neck, 0.14 shoulder widths each side of its axis
    if neck_flare:  # it widens into the trapezius just above the tee: to 0.2 shoulder widths at row 84
        cv2.fillPoly(image, [np.array([(137, 76), (132, 84), (168, 84), (163, 76)], np.int32)], SKIN)
    cv2.rectangle(image, (75, 85), (225, 150), TOP, -1)  # a boxy tee's dropped shoulders
    cv2.rectangle(image, (100, 85), (200, 240), TOP, -1)
    if collar:
        cv2.rectangle(image, (128, 70), (172, 90), TOP, -1)
    cv2.line(image, (105, 110), (85, 175), TOP, 30)
    cv2.line(image, (195, 110), (215, 175), TOP, 30)
    cv2.line(image, (85, 175), (80, 235), SKIN, 18)
    cv2.line(image, (215, 175), (220, 235), SKIN, 18)
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == SKIN, axis=2).astype(np.uint8)
    return image, person, skin


def _top_outline(mask: np.ndarray, columns: range) -> np.ndarray:
    """float: per column, the first row of `mask` (its top outline)."""
    return np.array([float(np.flatnonzero(mask[:, x])[0]) for x in columns])


def test_a_bared_shoulder_slopes_into_the_deltoid_without_a_square_corner() -> None:
    """Under a boxy tee's square shoulder the shoulder's top stands high over the joint and its cap is narrow: a
    straight line from the neck met that cap in a corner (its outline turned from under 20 degrees below level to
    over 60 within 5 px). The outline turns gradually from the trapezius into the deltoid's side."""
    image, person, skin = _tee_shopper()
    arms = fit_arms(frontal_pose(), image, person, skin)
    left = arms.arms[0]
    mask = arms.mask()
    joint = left.joints[0]
    columns = range(round(left.neck[0]) + 1, round(joint[0] + left.deltoid) + 1)
    # The outline's direction (degrees below level, outward), smoothed over the staircase of its pixels.
    smooth = np.convolve(_top_outline(mask, columns), np.ones(5) / 5, mode="valid")
    angles = np.degrees(np.arctan(np.gradient(smooth)))
    steep = int(np.flatnonzero(angles >= 60.0)[0])
    gentle = int(np.flatnonzero(angles[:steep] <= 20.0)[-1])
    assert steep - gentle >= 0.6 * left.deltoid
    assert np.all(np.diff(smooth[gentle:]) >= -0.5)  # and from there only down
    # The shoulder falls from the neck to over the joint (a top level with the neck's base drew a hump).
    assert float(np.flatnonzero(mask[:, round(joint[0])])[0]) > left.neck[1] + 3.0


def test_the_shoulder_leaves_the_neck_where_its_skin_meets_the_backdrop() -> None:
    """A neck flaring into the trapezius above the tee, against the backdrop: the shoulder's outline starts at the
    flare's lowest, outermost skin, and leaves it as steeply as the flare goes, so the repaint leaves no tab of skin
    beside the neck. Where the skin stops at the old collar instead, the body goes on under it: the model's point,
    NECK_HALF of the shoulder width beside the neck's axis."""
    image, person, skin = _tee_shopper(neck_flare=True)
    left = fit_arms(frontal_pose(), image, person, skin).arms[0]
    assert abs(left.neck[0] - 168.0) <= 1.5 and abs(left.neck[1] - 84.0) <= 1.5
    assert left.leave is not None and left.leave[0] > 0 and left.leave[1] > 0  # outward and down
    # Concave where it leaves the neck: it falls faster there than along the trapezius towards the joint.
    mask = fit_arms(frontal_pose(), image, person, skin).mask()
    top = _top_outline(mask, range(round(left.neck[0]), round(left.joints[0][0])))
    assert top[6] - top[0] >= top[-1] - top[-7] + 2
    image, person, skin = _tee_shopper(collar=True)
    worn = np.all(image == TOP, axis=2).astype(np.uint8)
    left = fit_arms(frontal_pose(), image, person, skin, worn).arms[0]
    assert abs(left.neck[0] - (150.0 + NECK_HALF * SHOULDER_WIDTH)) <= 1.0 and left.leave is None


def _bare_left_arm() -> np.ndarray:
    """A shopper in a navy top whose left arm is bare."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (120, 100), (180, 240), TOP, -1)
    cv2.rectangle(image, (105, 100), (195, 125), TOP, -1)
    cv2.line(image, (195, 110), (215, 175), SKIN, 24)
    cv2.line(image, (215, 175), (220, 235), SKIN, 18)
    return image


def _arm_beside_torso() -> tuple[np.ndarray, np.ndarray, object]:
    """Arms fitted to a shopper in a navy top with a bare left arm; the bare skin to repaint: that arm and a bare
    torso reaching its inner edge (as a crop top bares it). Returns the bare skin, the body and the arms."""
    image = _bare_left_arm()
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == SKIN, axis=2).astype(np.uint8)
    arms = fit_arms(frontal_pose(), image, person, skin)
    torso = np.zeros((H, W), bool)
    torso[100:240, 110:205] = True
    bare = arms.mask() | torso
    return bare, bare, arms


def test_an_arm_hanging_beside_the_bared_torso_is_parted_from_it_by_a_shade_line() -> None:
    """Below its armpit the arm is all arm to its inner edge and the torso beside it is in its shadow, ARM_CAST_SHADE
    at the contact, gone a few px in: one block of skin, blended, they read as one. At the shoulder they still join."""
    bare, body, arms = _arm_beside_torso()
    shade, limb = arm_shading(bare, body, arms)
    left = arms.arms[0]  # type: ignore[attr-defined]
    row = 165  # well below the armpit
    assert row > left.joints[0][1] + ARMPIT * (left.joints[1][1] - left.joints[0][1])
    on_arm = np.flatnonzero(arms.mask(shoulders=False)[row])  # type: ignore[attr-defined]
    edge = int(on_arm[0])  # the arm's inner outline on this row
    assert limb[row, edge + 1] > 0.9  # all arm to its inner edge
    assert limb[row, edge - 3] < 0.3 and limb[row, edge - 8] < 0.05  # the torso beside it is torso
    beside, deeper = float(shade[row, edge - 1]), float(shade[row, edge - 12])
    assert beside < 1.0 - 0.5 * (1.0 - ARM_CAST_SHADE) and deeper == 1.0  # a thin shadow on the torso's side
    assert float(shade[row, edge + 1]) < float(shade[row, edge + 8]) - 0.03  # the arm's own edge turning away
    # Without the parting (the arm's profile blended into the torso), the contact was lighter on both sides.
    blended, blended_limb = arm_shading(bare, body)
    assert blended_limb[row, edge - 1] > limb[row, edge - 1] or float(blended[row, edge - 1]) > beside


def test_the_arms_shadow_falls_on_no_sliver_of_skin_against_the_backdrop() -> None:
    """The repaint's outline may stand a px or two past an arm's own on its outer side (against the backdrop): the
    parting casts no shadow there (a dark rim round a bared arm), only on the torso beside the arm."""
    bare, body, arms = _arm_beside_torso()
    sliver = cv2.dilate(arms.mask(shoulders=False).astype(np.uint8), np.ones((5, 5), np.uint8)) > 0  # type: ignore
    parted, _ = arm_shading(bare | sliver, body | sliver, arms)
    joined, _ = arm_shading(bare | sliver, body | sliver, arms, np.zeros((H, W), bool))  # no parting
    row = 165
    outer = int(np.flatnonzero(sliver[row])[-1])
    assert np.allclose(parted[row, outer - 3:outer + 1], joined[row, outer - 3:outer + 1], atol=1e-3)
    inner = int(np.flatnonzero(arms.mask(shoulders=False)[row])[0])  # type: ignore[attr-defined]
    assert float(parted[row, inner - 1]) < float(joined[row, inner - 1]) - 0.02  # the torso beside it: shaded


def _shaded_arm(side: float) -> tuple[np.ndarray, np.ndarray, object]:
    """A shopper whose bare left arm is lit as a cylinder: its brightness falls from its lit line to `side` of it
    at its outline (a linear fall across its half width); the rest in a navy top. Returns image, skin and arms."""
    image = _bare_left_arm()
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = np.all(image == SKIN, axis=2)
    arms = fit_arms(frontal_pose(), image, person, skin.astype(np.uint8))
    place = arms.across(1, (W, H))  # type: ignore[attr-defined]
    light = 1.0 - (1.0 - side) * np.clip(place, 0.0, 1.0)
    shaded = np.where(skin[..., None], np.clip(np.array(SKIN, np.float32) * light[..., None], 0, 255), image)
    return shaded.astype(np.uint8), skin, arms


def test_side_light_is_the_visible_arms_sides_over_their_lit_line() -> None:
    luma = np.concatenate([np.full(30, 100.0), np.full(30, 80.0)])[None]
    across = np.concatenate([np.full(30, 0.1), np.full(30, 0.8)])[None]
    assert abs((side_light(luma, np.ones_like(luma, bool), across) or 0.0) - 0.8) < 1e-6
    assert side_light(luma, np.zeros_like(luma, bool), across) is None  # no arm skin shows
    dark = np.concatenate([np.full(30, 100.0), np.full(30, 20.0)])[None]
    assert side_light(dark, np.ones_like(dark, bool), across) == SIDE_RANGE[0]  # a shadow cast on the arm: clipped


def test_the_torso_sides_are_read_from_the_shoppers_own_arms() -> None:
    """Arms lit to 0.75 at their outline, their sides 0.7-0.95 of the way out are about 0.8 of their lit line."""
    for side in (0.6, 0.85):
        image, skin, arms = _shaded_arm(side)
        read = torso_side(image, skin, arms)  # type: ignore[arg-type]
        expected = 1.0 - (1.0 - side) * 0.825  # the middle of the side's places, over the lit line's (~1)
        assert read is not None and abs(read - expected) < 0.05, (side, read)


def test_a_bared_torsos_sides_are_as_dark_as_measured_and_its_middle_lit() -> None:
    body = np.zeros((200, 200), np.uint8)
    body[40:180, 60:140] = 1
    default, measured = torso_shading(body), torso_shading(body, 0.7)
    assert abs(float(default[110, 100]) - TORSO_LIGHT) < 0.02 and abs(float(measured[110, 100]) - TORSO_LIGHT) < 0.02
    # Towards its sides it falls as far as the shopper's arms' sides do (without arms to read, to TORSO_SHADE).
    for column in (64, 75):
        fall = (TORSO_LIGHT - float(measured[110, column])) / (TORSO_LIGHT - float(default[110, column]))
        assert abs(fall - (TORSO_LIGHT - 0.7 * TORSO_LIGHT) / (TORSO_LIGHT - TORSO_SHADE)) < 0.15
