"""A warped top's or dress's body covers the torso it is worn on at every level (`fit._cover_torso`), its
side hangs at least straight down from the armpit, and a short sleeve stays outside its armpit; a top's
sides from the waist down cover the body as the person mask shows them (`fit.hips_under_top`).
Synthetic silhouettes fitted onto the synthetic shopper of tests/poses.py (shoulders 90 px apart at row 110,
arms hanging beside the body)."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.common.body import body_frame
from fittingroom.common.garment import Category
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.worn_garment import bare_torso
from fittingroom.warp_gen.fit import (
    CUFF_REACH,
    HIP_REACH,
    TORSO_EASE,
    WAIST_RISE,
    GarmentFit,
    fit_garment,
    hips_under_top,
    warp_garment,
)

SHAPE = (400, 300)
ARMS_OUT = {lm.LEFT_ELBOW: (255, 150), lm.RIGHT_ELBOW: (45, 150), lm.LEFT_WRIST: (300, 180), lm.RIGHT_WRIST: (0, 180)}


def _narrow_tee() -> np.ndarray:
    """A tee whose body is narrow for its shoulders: its seams 120 px apart, its body 70 px wide below short
    sleeves that stick out level (as a cap sleeve or a ruffle does on its photo)."""
    mask = np.zeros((480, 300), np.uint8)
    cv2.fillPoly(mask, [np.array([(100, 40), (200, 40), (185, 90), (185, 300), (115, 300), (115, 90)],
                                 np.int32)], 1)
    for side in (-1, 1):
        seam = 150 + side * 50
        sleeve = [(seam, 40), (seam + side * 45, 60), (seam + side * 40, 85), (seam - side * 15, 90)]
        cv2.fillPoly(mask, [np.array(sleeve, np.int32)], 1)
    return mask


def _fit(mask: np.ndarray, torso: np.ndarray | None) -> tuple[GarmentFit, dict[str, np.ndarray]]:
    fit = fit_garment(garment_landmarks(mask, Category.UPPER), frontal_pose(), Category.UPPER, mask, torso)
    return fit, dict(zip(fit.names, fit.target, strict=True))


def _out(point: np.ndarray, side: float) -> float:
    """How far a point lies out from the synthetic body's axis on its `side` (+1 left, -1 right)."""
    frame = body_frame(frontal_pose())
    centre = (frame.left_shoulder + frame.right_shoulder) / 2
    return float((point - centre) @ frame.across) * side


def _edge(torso: np.ndarray, row: float, side: float) -> float:
    """How far the torso mask reaches out from the axis on `row` towards `side`."""
    frame = body_frame(frontal_pose())
    centre = float((frame.left_shoulder[0] + frame.right_shoulder[0]) / 2)
    columns = np.nonzero(torso[round(row)])[0]
    return float(columns.max() - centre) if side > 0 else float(centre - columns.min())


def test_the_sides_stand_out_of_the_torso() -> None:
    torso = bare_torso(frontal_pose(), SHAPE)
    width = body_frame(frontal_pose()).shoulder_width
    _, loose = _fit(_narrow_tee(), None)
    _, fitted = _fit(_narrow_tee(), torso)
    for name, side in (("left", 1.0), ("right", -1.0)):
        armpit = fitted[f"{name}_armpit"]
        # Without the torso, the narrow body's armpit lay inside the torso: the old garment's side was left.
        assert _out(loose[f"{name}_armpit"], side) < _edge(torso, armpit[1], side)
        pins = [fitted[n] for n in fitted if n.startswith((f"{name}_armpit", f"{name}_side"))]
        on_torso = [p for p in pins if torso[round(p[1])].any()]  # the tunic's lower pins are below the hips
        assert len(on_torso) >= 2
        for pin in on_torso:
            assert _out(pin, side) >= _edge(torso, pin[1], side) + TORSO_EASE * width - 1.0


def test_the_side_hangs_straight_down_from_the_armpit() -> None:
    _, targets = _fit(_narrow_tee(), bare_torso(frontal_pose(), SHAPE))
    for name, side in (("left", 1.0), ("right", -1.0)):
        armpit = _out(targets[f"{name}_armpit"], side)
        sides = [_out(p, side) for n, p in targets.items() if n.startswith(f"{name}_side")]
        assert len(sides) == 3
        assert min(sides) >= armpit - 1e-6


def test_a_short_sleeves_cuff_stays_outside_its_armpit() -> None:
    """On arms held out from the body the garment's spline takes the sleeve: its cuff is pinned outside the
    armpit by a share of its photo's reach (from the joint alone a cap sleeve ended beside its armpit)."""
    mask = _narrow_tee()
    marks = garment_landmarks(mask, Category.UPPER).named()
    pose = frontal_pose(ARMS_OUT)
    fit = fit_garment(garment_landmarks(mask, Category.UPPER), pose, Category.UPPER, mask, bare_torso(pose, SHAPE))
    targets = dict(zip(fit.names, fit.target, strict=True))
    span = marks["left_shoulder"][0] - marks["right_shoulder"][0]
    scale = body_frame(pose).shoulder_width * 0.95 / span  # LENGTH_SPAN: lengths in body px
    for name, side in (("left", 1.0), ("right", -1.0)):
        reach = CUFF_REACH * side * (marks[f"{name}_cuff"][0] - marks[f"{name}_armpit"][0]) * scale
        assert reach > 0
        assert _out(targets[f"{name}_cuff"], side) >= _out(targets[f"{name}_armpit"], side) + reach - 1e-6


def test_a_short_sleeve_on_a_hanging_arm_lies_outside_the_garment_s_body() -> None:
    """On arms hanging at the sides the sleeve is laid down the arm on its own: its end's outer corner lies
    outside the armpit of the garment's body, which keeps its place."""
    fit, targets = _fit(_narrow_tee(), bare_torso(frontal_pose(), SHAPE))
    for sleeve in fit.sleeves:
        side = 1.0 if sleeve.side == "left" else -1.0
        assert _out(sleeve.target[1], side) > _out(targets[f"{sleeve.side}_armpit"], side)
    assert {s.side for s in fit.sleeves} == {"left", "right"}


def test_the_warped_garment_covers_the_torso_below_its_armpits() -> None:
    mask = _narrow_tee()
    torso = bare_torso(frontal_pose(), SHAPE)
    fit, targets = _fit(mask, torso)
    warped = warp_garment(np.dstack([mask * 200] * 3).astype(np.uint8), mask, fit, SHAPE,
                          np.zeros(mask.shape, bool)).alpha > 0.5
    top = round(max(targets["left_armpit"][1], targets["right_armpit"][1])) + 2
    bottom = round(min(targets["left_hem"][1], targets["right_hem"][1])) - 4
    rows = np.zeros(SHAPE, bool)
    rows[top:bottom] = True
    under = (torso > 0) & rows
    assert under.sum() > 0
    assert (warped & under).sum() / under.sum() > 0.99


def _broad_hips(gap: bool = False) -> np.ndarray:
    """A person mask: a torso, hips 140 px broad from the hip joints (row 230) down, arms hanging beside, and
    a bag held beside the left hip; with `gap`, a narrow gap between the legs below row 300."""
    person = np.zeros(SHAPE, np.uint8)
    cv2.fillPoly(person, [np.array([(100, 100), (200, 100), (205, 230), (220, 250), (220, 400), (80, 400),
                                    (80, 250), (95, 230)], np.int32)], 1)
    for arm in (((195, 110), (215, 175), (220, 235)), ((105, 110), (85, 175), (80, 235))):
        cv2.polylines(person, [np.array(arm, np.int32)], False, 1, 22)
    cv2.rectangle(person, (215, 250), (275, 300), 1, -1)  # the bag, touching the hip
    if gap:
        cv2.rectangle(person, (147, 300), (153, 400), 0, -1)
    return person


def test_the_hips_under_a_top_are_the_persons_less_arms_and_bag() -> None:
    hips = hips_under_top(_broad_hips(), frontal_pose())
    width = body_frame(frontal_pose()).shoulder_width
    frame = body_frame(frontal_pose())
    waist = round(230 - WAIST_RISE * frame.torso)
    assert not hips[:waist - 1].any()  # above the waist the bare torso says where the body is
    # From the waist down the person's own body, broader than the pose's proportions, less the arms beside it.
    assert hips[waist + 10, 150] and hips[waist + 10, 104] and hips[waist + 10, 196]
    assert not hips[waist + 10, 217] and not hips[waist + 10, 83]
    assert hips[330, 82] and hips[330, 218]  # the person's own hips, broader than the pose's
    assert not hips[232, 220]  # the hand (past the wrist, along the forearm) is left out
    limit = 150 + 1.7 * 30 + HIP_REACH * width
    assert not hips[:, round(limit) + 2:].any()  # the bag beside the hip stays out


def test_a_long_tops_sides_cover_the_hips() -> None:
    pose = frontal_pose()
    width = body_frame(pose).shoulder_width
    torso = bare_torso(pose, SHAPE)
    for gap in (False, True):
        _, targets = _fit(_narrow_tee(), torso | hips_under_top(_broad_hips(gap), pose))
        for name, side in (("left", 1.0), ("right", -1.0)):
            for pin in (f"{name}_side_lower", f"{name}_hem"):  # below the hands
                # The hips reach 70 px out (the gap between the legs is bridged), or as far as the limit allows.
                assert _out(targets[pin], side) >= min(70.0, 1.7 * 30 + HIP_REACH * width) + TORSO_EASE * width - 1


def _crop_camisole() -> np.ndarray:
    """A crop camisole on its photo: a bodice 150 px wide and 50 high under two thin straps (its hem as wide as its
    bust, as a product photo lays it flat)."""
    mask = np.zeros((480, 300), np.uint8)
    cv2.rectangle(mask, (75, 110), (225, 160), 1, -1)
    for x in (100, 200):
        cv2.line(mask, (x, 80), (x, 110), 1, 5)
    return mask


def test_a_crop_tops_hem_lies_on_the_ribs_not_at_the_hips_breadth() -> None:
    """Raised above the waist, the hem's corners go TORSO_EASE outside the torso's edge on their level: at the
    hips' breadth they stood out past the ribs like wings."""
    torso = bare_torso(frontal_pose(), SHAPE)
    frame = body_frame(frontal_pose())
    _, targets = _fit(_crop_camisole(), torso)
    waist = float(((frame.left_hip + frame.right_hip) / 2 - frame.down * WAIST_RISE * frame.torso)[1])
    for name, side in (("left", 1.0), ("right", -1.0)):
        hem = targets[f"{name}_hem"]
        assert hem[1] < waist  # a crop top
        wanted = _edge(torso, hem[1], side) + TORSO_EASE * frame.shoulder_width
        assert abs(_out(hem, side) - wanted) <= 1.5
