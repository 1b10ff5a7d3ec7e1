"""Where a catalog garment goes on the shopper: its landmarks paired with points from the pose, and the warp.

The targets come from the one body geometry (`common.body`: the same generous margins, the same stretch of
a torso that bulky clothes make the pose model shorten) that the worn-garment mask uses, so the warped
garment lands where the design mode would repaint. Lengths are the garment's own (a crop top stays short, a
tunic long): its hem and cuffs as far down as its photo has them, in its shoulder (or waist) width carried
to the body's. Pure numpy/OpenCV.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import (
    HIP_BREADTH,
    LEG_WIDTH,
    PAD,
    SLEEVE_WIDTH,
    BodyFrame,
    Pose,
    body_frame,
    hem_line,
    knees,
    shoulder_rise,
    top_outline,
)
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category, GarmentLandmarks
from fittingroom.warp_gen.polyline import along, chain_length
from fittingroom.warp_gen.sleeves import (
    ARM_EDGE_REACH,
    MIN_SLEEVE_END,
    SLEEVE_DOWN,
    SleeveFit,
    body_texture,
    full_sleeve,
    sleeve_fit,
    warp_sleeves,
    without_sleeves,
)
from fittingroom.warp_gen.tps import fit_fold_free, remap, sampling_maps

SEAM_WIDTH = 1.15  # a garment's shoulder seams sit this many shoulder-joint distances apart when worn
# Of the shoulder width: worn, a sleeve's armpit lies this far inside the shoulder joint, on the arm's inner
# edge where it meets the torso (BlazePose's joint is near the upper arm's middle, the arm about a quarter of
# the shoulder width across). Below the seam, the bodice's side ran down the middle of an arm hanging
# beside it, and the sleeve, between seam and cuff, lay outside the arm as a stub.
ARMPIT_INSET = 0.08
ARM_HANG = 12.5  # degrees from the body's axis: an upper arm hanging against the side, which takes the armpit in
DEFAULT_ARM_ANGLE = 20.0  # degrees out from straight down, for an arm the pose could not see
# A short sleeve's cuff is held below the armpit only on an arm hanging at least this steeply (the cosine of
# its angle from straight down): along a raised arm no length reaches below the armpit.
MIN_ARM_DROP = 0.3
PROBE_STEP = 8  # px between the points where a warp is checked for folds
# Straps (a camisole's, a strappy top's): STRAP_DROP of the shoulder-to-hem length below each shoulder
# landmark, the silhouette's side is narrower than STRAP_WIDTH of the shoulders' span.
STRAP_DROP = 0.1
STRAP_WIDTH = 0.12
# Or broad straps (a tank top's): the shoulder points lie less than STRAP_SPAN of the garment's chest apart (its widest
# row within CHEST_DEPTH of the shoulder-to-hem length below them). A sleeveless shirt's or dress's shoulders are as
# broad as its chest or broader (the development photos' dress: 1.1); a tank top's strap tops, inset over the
# shoulders' tops, 0.6-0.8 of it. Taken for a shirt's, they were pinned out on the shoulder joints: the straps
# splayed into wings past the shoulders and the neckline gaped.
STRAP_SPAN = 0.85
CHEST_DEPTH = 0.3
# Worn, a strap lies on the top of the shoulder, this far (of the shoulder width) in from the joint and
# above its line, not on the padded outer corner a shirt's shoulder reaches (there, beside the body, the
# person mask cut the straps off).
STRAP_INSET = 0.15
STRAP_LIFT = 0.08
# Strapless (a tube top, a bandeau, a strapless dress): no armpits, no straps, and its top edge between the top
# corners runs straight across or dips (a curve, a V), nowhere more than STRAPLESS_RISE of their span above the
# line through them over the middle STRAPLESS_MIDDLE of it. A sleeveless garment's shoulders rise from their outer
# points to the neckline's sides, even where its back neckline shows flat between them (the development photos'
# sleeveless dress: 0.068 of the span, a drawn boat-neck shell 0.048; drawn tube tops, bandeaus and strapless
# dresses, straight, curved or photographed 4° aslant: under 0.01).
# Fitted as sleeveless, its corners were pinned on the shoulders: a tube top covered them like a boxy tee and a
# strapless dress came out with shoulders.
STRAPLESS_RISE = 0.03
STRAPLESS_MIDDLE = 0.8
# Worn, a strapless garment's top edge runs across the chest this share of the torso below the shoulder joints'
# line, just under the armpits (`segment.worn_garment.ARMPIT_LEVEL`: 0.3), its corners at the torso's sides
# where a sleeve's armpit goes (ARMPIT_INSET), and its lengths in the span between them.
STRAPLESS_DROP = 0.25
# A garment's shoulder points as its finder places them (a sleeved top's above its armpits, a sleeveless
# top's outer corners) lie this many shoulder-joint distances apart when worn, measuring its lengths: a
# front-on catalogue photo shows the body's front, not half its girth (fitted on the tees of the
# development photos, whose hems then sit where they sit on the hips).
LENGTH_SPAN = 0.95
MIN_HEM_DROP = 0.6  # of the shoulder width: the shortest top (a crop top's hem below the shoulders)
# Of the shoulder width: a sleeved garment's shoulder seam lies no farther than SEAM_SLACK inside a hanging arm's
# outer outline on the person mask (looked for SEAM_REACH out). The pose's shoulder joint may lie well inside the arm
# (051482's right: the outline 0.15 out from the seam), and a sleeve laid from it lay on the chest with the arm's
# outer half bare beside it; the sleeve's own width covers the slack (moved out to the outline itself, the seams
# of shoppers 0.02-0.03 inside moved too, and two white tees' neck openings warped so that their inside backs were
# no longer told apart).
SEAM_REACH = 0.2
SEAM_SLACK = 0.05
# A product photo has no scale, so a top's length is known only up to its size. One long enough to reach the
# hips (its hem less than REGULAR_HEM of the torso above the hip joints) that would end less than COVER_GAP
# shoulder widths above the lower garment's top covers it, down to HEM_OVERLAP of the torso below the waistline:
# a band of midriff and a bare waistband above the trousers are what make a crop top (a tee with dropped
# shoulders, scaled by its wide shoulder points, ended just above them; crop tops end half a torso higher).
REGULAR_HEM = 0.25
COVER_GAP = 0.35
HEM_OVERLAP = 0.045
# Of the shoulder width: the least a garment's body stands out from the torso under it (`_cover_torso`).
TORSO_EASE = 0.04
# A short sleeve's cuff lies at least this share of its photo's reach past the armpit outside the armpit:
# laid along a hanging arm from the joint, a cap sleeve or a ruffle ended beside its armpit and the warp
# twisted the shoulder between them.
CUFF_REACH = 0.5
# From the waist down a top's sides cover the body as the person mask shows it (less arms and hands), up to
# HIP_REACH shoulder widths beyond the body's hips (`body.HIP_BREADTH`): a long tee drawn in to the pose's
# hips on a shopper with broader ones bared her trousers down the side, and the torso the pose's proportions
# give is narrower than a broad shopper's waist (her trousers showed between the tee and a forearm from the
# waist down). WAIST_RISE (of the torso): how far above the hip joints' line the waist is. ARM_BAND (of the
# shoulder width): an arm's width with its hand, which the hips leave out; HAND_LENGTH: a hand's length past
# the wrist, of the forearm's.
HIP_REACH = 0.2
WAIST_RISE = 0.45
ARM_BAND = 0.22
HAND_LENGTH = 0.7
# Where the side is pinned between armpit and hem (share of the way down, name suffix): pinned at its middle
# alone, the spline drew a long top's side in over the hips, between the pins.
SIDE_LEVELS = ((0.25, "_upper"), (0.5, ""), (0.75, "_lower"))
HANG_GAP = 0.15  # of the shoulder width: a gap in the person's silhouette that a garment hangs across
HANG_SHRINK = 4  # the gaps are closed on a photo this many times smaller
# Degrees a forearm turns in from the body's axis past which its hand is on the body (in a pocket, on the hip's
# front), not hanging beside it (`hands_beside`); hanging hands on catalogue photos turn in 4° or out.
HAND_TURNED_IN = 20.0
HAND_HEEL = 0.25  # of the hand's length from the wrist: its heel, before the fingers


@dataclass(frozen=True)
class GarmentFit:
    """Paired landmarks (garment photo -> person photo) and the body parts the garment covers."""

    names: tuple[str, ...]
    source: np.ndarray  # [n, 2] in the garment photo
    target: np.ndarray  # [n, 2] in the person photo
    body: np.ndarray  # [k, 2] polygon of the torso (or pelvis) under the garment, on the joints, unpadded
    limbs: tuple[tuple[np.ndarray, float], ...]  # (polyline, thickness) of arms and legs under the garment
    # Polygon between trouser legs, from the crotch down (empty for other garments): no garment there, so
    # the warp may squeeze it as it likes (a product photo's legs touch; a shopper's stand apart).
    gap: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    sleeves: tuple[SleeveFit, ...] = ()  # those warped on their own (the others bend with the garment's body)
    # Polygon of a dress's own breadth from the waist down (`_skirt`: its hem as broad as on its photo, over the
    # hips), which bounds what shows of it off the person past an old hem (`flare_beside`); empty: unbounded.
    # The warp's hem stands at the padded outline (`body.SIDE_PAD`), 1.5 shoulder widths broad for every dress,
    # which the person mask trims; past a shorter old dress's hem nothing trims it, and a straight dress (its
    # own hem about 1.0 shoulder widths broad) flared out in a box. (Warped to its own breadth instead, a
    # sleeveless dress, no side pinned, was drawn in off a shopper's hip and its hem slanted up over the thigh.)
    skirt: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))


def _rotate(vector: np.ndarray, degrees: float) -> np.ndarray:
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return np.array([c * vector[0] - s * vector[1], s * vector[0] + c * vector[1]])


def _arm(pose: Pose, frame: BodyFrame, side: float) -> list[np.ndarray]:
    """The arm's joints from the shoulder down as far as the pose sees them (a default hang if unseen)."""
    shoulder, elbow, wrist = ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST) if side > 0
                              else (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
    chain = [pose.point(shoulder)]
    if pose.sees(elbow):
        chain.append(pose.point(elbow))
        if pose.sees(wrist):
            chain.append(pose.point(wrist))
    else:  # straight down and a little out, one upper-arm length (1.1 shoulder widths)
        hang = _rotate(frame.down, -side * DEFAULT_ARM_ANGLE * np.sign(frame.across[0] or 1.0))
        chain.append(chain[0] + hang * 1.1 * frame.shoulder_width)
    return chain


def _arm_angle(arm: list[np.ndarray], frame: BodyFrame) -> float:
    """Degrees between the upper arm and the body's axis (0: hanging straight down)."""
    upper = (arm[1] - arm[0]) / max(float(np.linalg.norm(arm[1] - arm[0])), 1e-6)
    return float(np.degrees(np.arccos(np.clip(upper @ frame.down, -1.0, 1.0))))


def _hanging(arm: list[np.ndarray], frame: BodyFrame) -> float:
    """1 for an upper arm hanging against the body (within ARM_HANG degrees of its axis), falling to 0 for
    one held out twice as far."""
    return float(np.clip(2.0 - _arm_angle(arm, frame) / ARM_HANG, 0.0, 1.0))


def _similar(point: tuple[float, float], frm: tuple[np.ndarray, np.ndarray], to: tuple[np.ndarray, np.ndarray]
             ) -> np.ndarray:
    """Where `point` lands under the similarity that sends segment `frm` onto segment `to`."""
    (a, b), (c, d) = frm, to
    u, v = b - a, d - c
    scale = float(np.linalg.norm(v)) / max(float(np.linalg.norm(u)), 1e-6)
    angle = np.degrees(np.arctan2(v[1], v[0]) - np.arctan2(u[1], u[0]))
    return np.asarray(c + scale * _rotate(np.asarray(point, np.float64) - a, angle))


def _p(point: tuple[float, float] | None) -> np.ndarray:
    assert point is not None  # the caller checked the garment has it
    return np.asarray(point, np.float64)


def hangs_from_straps(silhouette: np.ndarray, marks: GarmentLandmarks) -> bool:
    """Whether a sleeveless garment's shoulder landmarks are the tops of straps: just below each, its side of
    the silhouette is a narrow band (a shirt's or a tee's shoulder is broad there), or they lie well inside its
    chest's breadth (STRAP_SPAN: a tank top's broad straps)."""
    if None in (marks.left_shoulder, marks.right_shoulder, marks.left_hem) or marks.left_armpit is not None:
        return False
    shoulders = (_p(marks.left_shoulder), _p(marks.right_shoulder))
    middle = float(shoulders[0][0] + shoulders[1][0]) / 2
    span = abs(float(shoulders[0][0] - shoulders[1][0]))
    top, hem = round(float(min(shoulders[0][1], shoulders[1][1]))), float(_p(marks.left_hem)[1])
    chest = silhouette[max(top, 0):max(top, 0) + max(1, round(CHEST_DEPTH * (hem - top)))] > 0
    columns = np.arange(silhouette.shape[1])
    if chest.any(axis=1).any():
        breadth = max(float(np.ptp(columns[row])) for row in chest if row.any())
        if span < STRAP_SPAN * breadth:
            return True
    for shoulder, half in zip(shoulders, (columns >= middle, columns < middle), strict=True):
        row = round(float(shoulder[1]) + STRAP_DROP * (float(_p(marks.left_hem)[1]) - float(shoulder[1])))
        if not 0 <= row < silhouette.shape[0] or (silhouette[row] > 0)[half].sum() > STRAP_WIDTH * span:
            return False
    return True


def strapless(silhouette: np.ndarray, marks: GarmentLandmarks) -> bool:
    """Whether a sleeveless garment's top edge runs straight across between its top corners (its shoulder
    landmarks), or dips, rising nowhere above the line through them (STRAPLESS_RISE): a tube top's, a bandeau's,
    a strapless dress's. The caller has ruled out straps (`hangs_from_straps`)."""
    if None in (marks.left_shoulder, marks.right_shoulder, marks.left_hem) or marks.left_armpit is not None \
            or marks.right_armpit is not None:
        return False
    (lx, ly), (rx, ry) = _p(marks.left_shoulder), _p(marks.right_shoulder)
    span = abs(lx - rx)
    middle = (lx + rx) / 2
    columns = np.arange(max(0, round(middle - STRAPLESS_MIDDLE * span / 2)),
                        min(silhouette.shape[1], round(middle + STRAPLESS_MIDDLE * span / 2) + 1))
    mask = silhouette[:, columns] > 0
    if span <= 0 or columns.size == 0 or not mask.any(axis=0).all():
        return False
    top = np.argmax(mask, axis=0)  # each column's highest garment pixel
    line = ry + (ly - ry) * (columns - rx) / (lx - rx)
    return bool(np.max(line - top) <= STRAPLESS_RISE * span)


def _out(point: np.ndarray, frame: BodyFrame, sign: float) -> float:
    """How far `point` lies out from the body's axis towards its `sign` side."""
    centre = (frame.left_shoulder + frame.right_shoulder) / 2
    return float((point - centre) @ frame.across) * sign


def _to_outline(point: np.ndarray, person: np.ndarray | None, frame: BodyFrame, sign: float, reach: float,
                slack: float) -> np.ndarray:
    """`point` moved straight out (towards its `sign` side) to `slack` px inside where the `person` mask (HxW, > 0.5
    on the person) ends, looked for `reach` px out; as it is when nearer, off the person or with no mask."""
    if person is None:
        return point
    height, width = person.shape[:2]
    outward = frame.across * sign
    steps = 0
    for step in range(1, int(reach) + 1):
        x, y = np.round(point + outward * step).astype(int)
        if not (0 <= x < width and 0 <= y < height) or person[y, x] <= 0.5:
            break
        steps = step
    return np.asarray(point + outward * max(steps - slack, 0.0))


def hips_under_top(person_mask: np.ndarray, pose: Pose) -> np.ndarray:
    """uint8 {0, 1}: the person below the waist (WAIST_RISE above the hip joints' line), less arms and hands,
    no farther out than HIP_REACH beyond the body's hips: what a top's sides cover at least there (with
    `segment.worn_garment.bare_torso` above it). A bag or a hand beside the hips that an arm's band misses
    stays out by the limit."""
    frame = body_frame(pose)
    width = frame.shoulder_width
    hips = (frame.left_hip + frame.right_hip) / 2 - frame.down * WAIST_RISE * frame.torso
    half = HIP_BREADTH * float(np.linalg.norm(frame.left_hip - frame.right_hip)) / 2 + HIP_REACH * width
    reach = float(sum(person_mask.shape))  # past every corner of the photo
    zone = np.zeros(person_mask.shape[:2], np.uint8)
    corners = [hips - frame.across * half, hips + frame.across * half,
               hips + frame.across * half + frame.down * reach, hips - frame.across * half + frame.down * reach]
    cv2.fillConvexPoly(zone, np.round(corners).astype(np.int32), 1)
    for side in (1.0, -1.0):
        arm = _arm(pose, frame, side)
        if len(arm) == 3:
            arm.append(arm[2] + HAND_LENGTH * (arm[2] - arm[1]))
        cv2.polylines(zone, [np.round(arm).astype(np.int32)], False, 0, max(1, round(ARM_BAND * width)))
    return np.asarray(zone & (person_mask > 0.5), np.uint8)


def _torso_edge(torso: np.ndarray, point: np.ndarray, frame: BodyFrame, sign: float) -> float | None:
    """How far out from the body's axis the `torso` mask reaches on `point`'s level towards its `sign` side,
    in one run from the axis (None where the torso is not there: above the shoulders, below the hips)."""
    centre = (frame.left_shoulder + frame.right_shoulder) / 2
    axis = centre + frame.down * float((point - centre) @ frame.down)
    reach = np.arange(0.0, 2.0 * frame.shoulder_width)
    line = np.round(axis[None] + (sign * reach)[:, None] * frame.across[None]).astype(np.int64)
    height, width = torso.shape
    inside = (line[:, 0] >= 0) & (line[:, 0] < width) & (line[:, 1] >= 0) & (line[:, 1] < height)
    hit = np.zeros(len(reach), bool)
    hit[inside] = torso[line[inside, 1], line[inside, 0]] > 0
    # Across gaps narrower than HANG_GAP (on a hem's level, the one between the legs) the garment hangs on.
    edge, missed = None, 0
    for step, inside_torso in enumerate(hit):
        edge, missed = (step, 0) if inside_torso else (edge, missed + 1)
        if missed > HANG_GAP * frame.shoulder_width:
            break
    return float(reach[edge]) if edge is not None else None


def _cover_torso(target: np.ndarray, torso: np.ndarray | None, frame: BodyFrame, sign: float,
                 least: float = -np.inf) -> np.ndarray:
    """`target` moved straight out until it lies TORSO_EASE outside the torso's edge on its level, and no less
    than `least` out from the body's axis: a worn garment's body covers the body it is on (narrower than
    the torso, it left the old garment's sides to the repaint, painted as skin beside the arms)."""
    edge = _torso_edge(torso, target, frame, sign) if torso is not None else None
    wanted = max(least, edge + TORSO_EASE * frame.shoulder_width if edge is not None else -np.inf)
    short = wanted - _out(target, frame, sign)
    return np.asarray(target + frame.across * sign * short) if short > 0 else target


def _own_hem(outline_hem: np.ndarray, top: np.ndarray, drop: float, ankle: np.ndarray, frame: BodyFrame
             ) -> np.ndarray:
    """The body's hem point moved along the body to lie `drop` below `top` (the garment's own length), no
    lower than the ankle and no higher than MIN_HEM_DROP shoulder widths (shorter, the landmarks are wrong)."""
    down = frame.down
    lowest = float((ankle - top) @ down)
    wanted = float(np.clip(drop, MIN_HEM_DROP * frame.shoulder_width, max(lowest, MIN_HEM_DROP * frame.shoulder_width)))
    return np.asarray(outline_hem + down * (wanted - float((outline_hem - top) @ down)))


def _hip_half(frame: BodyFrame) -> float:
    """Half the hips' breadth (`body.HIP_BREADTH`), TORSO_EASE outside them: what a dress gets over."""
    return HIP_BREADTH * float(np.linalg.norm(frame.left_hip - frame.right_hip)) / 2 + TORSO_EASE * frame.shoulder_width


def _own_breadth(hem: np.ndarray, bottom: dict[str, np.ndarray], breadth: float, frame: BodyFrame, sign: float
                 ) -> np.ndarray:
    """A dress's `hem` corner moved across to lie `breadth` (its own, as far out from the garment's midline as on
    its photo, in the lengths' scale) out from the middle of the body's unpadded hem line (`bottom`, by side:
    `body.hem_line`), no nearer than that line's own corner, nor than the hips' breadth (`_hip_half`) beside
    the hips' middle: a dress gets over the hips."""
    middle = (bottom["left"] + bottom["right"]) / 2
    hips = (frame.left_hip + frame.right_hip) / 2
    least = max(float((bottom["left" if sign > 0 else "right"] - middle) @ frame.across) * sign,
                float((hips - middle) @ frame.across) * sign + _hip_half(frame))
    out = float((hem - middle) @ frame.across) * sign
    return np.asarray(hem + frame.across * sign * (max(breadth, least) - out))


def _skirt(corners: dict[str, np.ndarray], frame: BodyFrame, reach: float) -> np.ndarray:
    """Polygon of a dress's own breadth from the waist down: straight down beside the hips (`_hip_half`) to
    their joints' line, out to its own hem `corners` (`_own_breadth`, by side), and straight down past them
    (`reach` px on, past every corner of the photo)."""
    hips = (frame.left_hip + frame.right_hip) / 2
    half = _hip_half(frame)
    left, right = hips + frame.across * half, hips - frame.across * half
    return np.array([left - frame.down * reach, left, corners["left"], corners["left"] + frame.down * reach,
                     corners["right"] + frame.down * reach, corners["right"], right, right - frame.down * reach])


def _over_waistband(hems: dict[str, np.ndarray], frame: BodyFrame, rise: float | None) -> dict[str, np.ndarray]:
    """A regular-length top's hem corners (`hems`, by side) carried down over the lower garment's top, whose
    waistline lies `rise` px above the hip joints' line (REGULAR_HEM, COVER_GAP, HEM_OVERLAP); else as they are.

    Whether the top is regular-length is the garment's, read once on its hem's lower corner (its reach): decided
    corner by corner, a long tee whose corners lay 1 px apart on the body, right at COVER_GAP above a shopper's
    waistband on padded and darkened copies of her photo, had one corner sent down over the jeans and the other
    left 0.23 torso lengths higher, and the slanted hem bared a wedge of the old garment at one hip. Either both
    corners go down to the waistband (one already below it stays) or neither does: the hem stays level."""
    if rise is None:
        return hems
    middle = (frame.left_hip + frame.right_hip) / 2
    levels = {name: float((hem - middle) @ frame.down) for name, hem in hems.items()}
    reach = max(levels.values())
    wanted = HEM_OVERLAP * frame.torso - rise
    if reach < -REGULAR_HEM * frame.torso or wanted - reach > COVER_GAP * frame.shoulder_width:
        return hems
    return {name: np.asarray(hem + frame.down * max(wanted - levels[name], 0.0)) for name, hem in hems.items()}


def _snug_above_waist(hem: np.ndarray, torso: np.ndarray | None, frame: BodyFrame, sign: float) -> np.ndarray:
    """A `hem` above the waist (WAIST_RISE above the hips' line: a crop top's) moved across to lie TORSO_EASE
    outside the `torso`'s edge on its level; lower, or with no torso, as it is. The hem's corners go where the
    body's outline has the hem, at the hips' breadth: raised to the ribs at that breadth, a crop camisole's
    stood 0.1-0.16 shoulder widths out past the ribs like wings on every full-body shopper."""
    waist = (frame.left_hip + frame.right_hip) / 2 - frame.down * WAIST_RISE * frame.torso
    if torso is None or float((hem - waist) @ frame.down) >= 0:
        return hem
    edge = _torso_edge(torso, hem, frame, sign)
    if edge is None:
        return hem
    return np.asarray(hem + frame.across * sign * (edge + TORSO_EASE * frame.shoulder_width - _out(hem, frame, sign)))


def _top_fit(marks: GarmentLandmarks, pose: Pose, frame: BodyFrame, garment: Category,
             straps: bool = False, torso: np.ndarray | None = None, silhouette: np.ndarray | None = None,
             person: np.ndarray | None = None, rise: float | None = None, bare: bool = False) -> GarmentFit:
    """`straps`: the shoulder landmarks are straps' tops (`hangs_from_straps`); `bare`: the top corners of a strapless
    garment (`strapless`), whose top edge goes across the chest and leaves the shoulders bare."""
    if marks.left_shoulder is None or marks.right_shoulder is None or marks.left_hem is None \
            or marks.right_hem is None:
        raise InvalidInput(f"could not find the shoulders and hem of the {garment} garment in its photo",
                           field="garment")
    f, w = frame, frame.shoulder_width
    pad = PAD * w
    bottom = dict(zip(("left", "right"), hem_line(pose, frame, garment), strict=True))
    outline = top_outline(pose, frame, garment)
    outline_shoulder = {"left": outline.left_shoulder, "right": outline.right_shoulder}
    shoulder = dict(outline_shoulder)  # where each shoulder point goes: a sleeved garment's seam moves in
    ankles = {name: _leg(pose, f, sign)[-1] for name, sign in (("left", 1.0), ("right", -1.0))}
    pairs: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    g_shoulders = (_p(marks.right_shoulder), _p(marks.left_shoulder))
    # Lengths (sleeves, the hem's drop) keep the garment's own proportions: measured in its shoulder width
    # and carried to the body's, where its shoulder points lie LENGTH_SPAN shoulder-joint distances apart
    # (straps STRAP_INSET inside each joint). Widths follow the body instead, with ease (SEAM_WIDTH, PAD).
    body_span = (1 - 2 * STRAP_INSET) * w if straps else LENGTH_SPAN * w
    if bare:
        for name, sign in (("left", 1.0), ("right", -1.0)):
            joint = f.left_shoulder if sign > 0 else f.right_shoulder
            seam = joint + f.across * sign * (SEAM_WIDTH - 1) / 2 * w
            inset = ((SEAM_WIDTH - 1) / 2 + ARMPIT_INSET) * _hanging(_arm(pose, f, sign), f)
            shoulder[name] = seam - f.across * sign * inset * w + f.down * STRAPLESS_DROP * f.torso
        body_span = float((shoulder["left"] - shoulder["right"]) @ f.across)
    length_scale = body_span / max(float(np.linalg.norm(g_shoulders[1] - g_shoulders[0])), 1e-6)
    limbs: list[tuple[np.ndarray, float]] = []
    sleeves: list[SleeveFit] = []
    # The seams on the shoulders' top (`shoulder_rise`), at least PAD above the joints: at PAD alone a tee's
    # shoulders sat up to 0.16 shoulder widths low and the bared band above them was repainted as skin.
    shoulder_top = shoulder_rise(f, person)
    seams: dict[str, np.ndarray] = {}
    hems: dict[str, np.ndarray] = {}
    g_middle = float(g_shoulders[0][0] + g_shoulders[1][0]) / 2  # the garment's midline on its photo
    own: dict[str, np.ndarray] = {}  # a dress's hem corners as broad as on its photo
    for name, sign in (("left", 1.0), ("right", -1.0)):
        g_shoulder, g_hem = _p(getattr(marks, f"{name}_shoulder")), _p(getattr(marks, f"{name}_hem"))
        armpit = getattr(marks, f"{name}_armpit")
        joint = f.left_shoulder if sign > 0 else f.right_shoulder
        # A sleeved garment's shoulder point is its seam, straight above its armpit on the photo: on the body
        # the seam sits just outside the joint and the armpit below it. Moving the seam out to the padded
        # corner while the armpit stays on the joint's line would shear the bodice (found back on the warped
        # silhouette, its shoulders were 30 % of the shoulder width from where the fit put them).
        seam = joint + f.across * sign * (SEAM_WIDTH - 1) / 2 * w - f.down * max(pad, shoulder_top)
        if armpit is not None and _arm_angle(_arm(pose, f, sign), f) < SLEEVE_DOWN:  # on a hanging arm's outer
            seam = _to_outline(seam, person, f, sign, SEAM_REACH * w, SEAM_SLACK * w)  # outline (held out: along it)
        seams[name] = seam
        if armpit is not None:
            shoulder[name] = seam
        elif straps:
            shoulder[name] = joint - f.across * sign * STRAP_INSET * w - f.down * STRAP_LIFT * w
        # The hem as far below the shoulder as on the garment (a crop top stays short, a tunic long), beside
        # the body as the outline has it; the body under the garment ends there too.
        hems[name] = _own_hem(getattr(outline, f"{name}_hem"), shoulder[name],
                              (g_hem[1] - g_shoulder[1]) * length_scale, ankles[name], f)
        own[name] = _own_breadth(hems[name], bottom, float(abs(g_hem[0] - g_middle)) * length_scale, f, sign)
    if garment is Category.UPPER:
        hems = _over_waistband(hems, f, rise)
    for name, sign in (("left", 1.0), ("right", -1.0)):
        g_shoulder, g_hem = _p(getattr(marks, f"{name}_shoulder")), _p(getattr(marks, f"{name}_hem"))
        armpit, cuff = getattr(marks, f"{name}_armpit"), getattr(marks, f"{name}_cuff")
        seam, hem = seams[name], hems[name]
        if garment is Category.UPPER:
            hem = _snug_above_waist(hem, torso, f, sign)
        bottom[name] = bottom[name] + f.down * float((hem - getattr(outline, f"{name}_hem")) @ f.down)
        pairs[f"{name}_shoulder"] = (g_shoulder, shoulder[name])
        pairs[f"{name}_hem"] = (g_hem, hem)
        if armpit is not None:
            # On the arm's inner edge, as far down as on the garment: the sleeve between seam and armpit wraps
            # the upper arm, and the bodice's side runs down beside the arm, not over it. An arm held out from
            # the body (a hand on the hip) leaves the armpit at the body's side, below the seam.
            t = (armpit[1] - g_shoulder[1]) / max(g_hem[1] - g_shoulder[1], 1e-6)
            inset = ((SEAM_WIDTH - 1) / 2 + ARMPIT_INSET) * _hanging(_arm(pose, f, sign), f)
            inner = seam - f.across * sign * inset * w
            target = _cover_torso(inner + f.down * t * float((hem - seam) @ f.down), torso, f, sign)
            pairs[f"{name}_armpit"] = (_p(armpit), target)
            # The side's middle to the middle of its line on the body: with the armpit drawn in over the arm's
            # inner edge and the hem out, the spline alone bowed the side in between (a pinched waist). Below
            # the armpit the side hangs straight down at least (a tee's side drawn in from the armpit to a
            # narrower hem bared the trousers along the whole side).
            hem = _cover_torso(hem, torso, f, sign)
            for level, suffix in SIDE_LEVELS:
                side = _cover_torso(target + level * (hem - target), torso, f, sign, least=_out(target, f, sign))
                pairs[f"{name}_side{suffix}"] = (_p(armpit) + level * (g_hem - _p(armpit)), side)
            pairs[f"{name}_hem"] = (g_hem, hem)
        if cuff is not None and armpit is not None:
            arm = _arm(pose, f, sign)
            # The sleeve's length from its root (between shoulder point and armpit), laid along the arm from
            # the joint; but worn, a short sleeve's cuff is at least as far below the armpit as on its photo
            # (no farther above it, for one angled up there): from the joint alone a sleeve level with its
            # armpit ended above the armpit. (Laid from the root's place on the arm instead, every sleeve grew
            # so long that the warp folded the shoulders: a dress's seam 20 % of the shoulder width off on the
            # development photos; holding a sleeve angled up as low as the armpit folded tees' shoulders too.)
            length = float(np.linalg.norm(_p(cuff) - (g_shoulder + _p(armpit)) / 2)) * length_scale
            start = (arm[1] - arm[0]) / max(float(np.linalg.norm(arm[1] - arm[0])), 1e-6)
            below_armpit = (cuff[1] - armpit[1]) * length_scale
            lowest = float((target - arm[0]) @ f.down) + below_armpit
            drop = float(start @ f.down)
            floor = lowest / drop if drop >= MIN_ARM_DROP else 0.0
            sleeve, _ = along(arm, min(max(length, floor), chain_length(arm) + 0.1 * w))
            # A sleeve past the elbow by its own length (not by `floor`: a tee's on an arm held out to the hip reached
            # just past it, laid on its own it stood off the shoulder with the backdrop between), or on a hanging arm.
            past_elbow = len(arm) > 2 and length > float(np.linalg.norm(arm[1] - arm[0]))
            hangs = past_elbow or _arm_angle(arm, f) < SLEEVE_DOWN
            laid = sleeve_fit(silhouette, (g_shoulder, _p(armpit), _p(cuff)), seam, sleeve, f.across * sign,
                               MIN_SLEEVE_END * w, length_scale, None if person is None else person > 0.5,
                               ARM_EDGE_REACH * w) if hangs and silhouette is not None else None
            if laid is not None:  # warped on its own, its end on the arm: the body is not bent to reach it
                sleeves.append(SleeveFit(name, *laid, full=silhouette is not None and full_sleeve(silhouette, laid[0])))
                end = sleeve[-1]
            else:
                reach = CUFF_REACH * float(sign * (cuff[0] - armpit[0])) * length_scale
                end = _cover_torso(sleeve[-1], None, f, sign, least=_out(target, f, sign) + reach)
                pairs[f"{name}_cuff"] = (_p(cuff), end)
            sleeve[-1] = end
            limbs.append((np.array(sleeve), SLEEVE_WIDTH * w))
    t_shoulders = (shoulder["right"], shoulder["left"])
    if "left_side" in pairs or "right_side" in pairs:
        # The hem's middle between its corners, as on the garment: pinned sides alone let the spline lift it.
        (g_left, left), (g_right, right) = pairs["left_hem"], pairs["right_hem"]
        pairs["hem"] = ((g_left + g_right) / 2, (left + right) / 2)
    if marks.neck is not None:
        pairs["neck"] = (_p(marks.neck), _similar(marks.neck, g_shoulders, t_shoulders))
    body = np.array([f.right_shoulder, f.left_shoulder, bottom["left"], bottom["right"]])
    skirt = _skirt(own, f, float(sum(np.abs(f.down)) * 1e4)) if garment is Category.DRESS else None
    return _pack(pairs, body, tuple(limbs), sleeves=tuple(sleeves), skirt=skirt)


def _leg(pose: Pose, frame: BodyFrame, side: float) -> list[np.ndarray]:
    """Hip, knee and ankle of one leg (the knee placed where the pose cannot see it)."""
    ankle = lm.LEFT_ANKLE if side > 0 else lm.RIGHT_ANKLE
    chain = [frame.left_hip if side > 0 else frame.right_hip, knees(pose, frame)[0 if side > 0 else 1]]
    # Out of the frame or hidden, the shin continues the thigh: long trousers still get their length.
    chain.append(pose.point(ankle) if pose.sees(ankle) else chain[1] + (chain[1] - chain[0]))
    return chain


def _lower_fit(marks: GarmentLandmarks, pose: Pose, frame: BodyFrame, rise: float | None) -> GarmentFit:
    if not pose.sees(lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE):
        raise InvalidInput("the photo must show the hips and knees for a lower garment; use a front-facing "
                           "photo where they are visible", field="person")
    if marks.left_waist is None or marks.right_waist is None:
        raise InvalidInput("could not find the waistband of the lower garment in its photo", field="garment")
    f, w = frame, frame.shoulder_width
    hip_width = float(np.linalg.norm(f.left_hip - f.right_hip))
    side_pad, pad = max(PAD * w, 0.5 * LEG_WIDTH * hip_width), PAD * w
    # The waistband at the shopper's own rise where the photo shows it (`segment.waistline`), never below PAD.
    lift = max(pad, rise) if rise is not None else pad
    waist = {"left": f.left_hip + f.across * side_pad - f.down * lift,
             "right": f.right_hip - f.across * side_pad - f.down * lift}
    g_waist = (_p(marks.right_waist), _p(marks.left_waist))
    scale = float(np.linalg.norm(waist["left"] - waist["right"])) / max(float(np.linalg.norm(g_waist[1] - g_waist[0])),
                                                                       1e-6)
    pairs = {"left_waist": (g_waist[1], waist["left"]), "right_waist": (g_waist[0], waist["right"])}
    # The waistband's middle between its corners, as on the garment: pinned at the corners alone, the spline let
    # it sag below the shopper's waistline, and the old waistband showed above it.
    pairs["waist"] = ((g_waist[0] + g_waist[1]) / 2, (waist["left"] + waist["right"]) / 2)
    legs = {name: _leg(pose, f, sign) for name, sign in (("left", 1.0), ("right", -1.0))}
    thigh = float(np.mean([np.linalg.norm(leg[1] - leg[0]) for leg in legs.values()]))
    limbs: list[tuple[np.ndarray, float]] = []
    if marks.crotch is None:
        # A skirt: its hem as far below the waist as on its photo, no lower than the ankle, and as broad as there
        # (hung straight down from the waist, an A-line midi came out a pencil skirt over one leg of a shopper
        # standing with her feet apart, the other leg bared), never narrower than straight down.
        g_mid, middle = (g_waist[0] + g_waist[1]) / 2, (waist["left"] + waist["right"]) / 2
        half = float((waist["left"] - waist["right"]) @ f.across) / 2
        for name, sign in (("left", 1.0), ("right", -1.0)):
            g_hem = _p(getattr(marks, f"{name}_hem"))
            g_top = g_waist[1] if name == "left" else g_waist[0]
            drop = min(float(g_hem[1] - g_top[1]) * scale, float((legs[name][-1] - waist[name]) @ f.down))
            out = max(float(abs(g_hem[0] - g_mid[0])) * scale, half)
            fall = float((waist[name] - middle) @ f.down) + drop
            pairs[f"{name}_hem"] = (g_hem, middle + f.across * sign * out + f.down * fall)
        body = np.array([f.right_hip, f.left_hip, pairs["left_hem"][1], pairs["right_hem"][1]])
        return _pack(pairs, body, ())
    g_mid = (g_waist[0] + g_waist[1]) / 2
    depth = float(np.clip((marks.crotch[1] - g_mid[1]) * scale - pad, 0.1 * thigh, 0.45 * thigh))
    pairs["crotch"] = (_p(marks.crotch), (f.left_hip + f.right_hip) / 2 + f.down * depth)
    for name, sign in (("left", 1.0), ("right", -1.0)):
        chain = legs[name]
        leg: list[np.ndarray] = []
        hem_drop = (_p(getattr(marks, f"{name}_hem_outer"))[1] + _p(getattr(marks, f"{name}_hem_inner"))[1]) / 2
        hem_length = (hem_drop - g_mid[1]) * scale - pad
        clipped = float(np.clip(hem_length, 0.2 * thigh, chain_length(chain) + 0.1 * f.torso))
        # The knee level first: the leg follows the body's leg there too, at the garment's own width (a
        # narrow leg stays narrow instead of being stretched between waist and hem). Where the hem's length
        # is clipped to the body's leg, the knee level moves with it, in proportion.
        for level in ("knee", "hem"):
            outer, inner = getattr(marks, f"{name}_{level}_outer"), getattr(marks, f"{name}_{level}_inner")
            if outer is None or inner is None:
                continue
            outer, inner = _p(outer), _p(inner)
            length = ((outer[1] + inner[1]) / 2 - g_mid[1]) * scale - pad
            leg, tangent = along(chain, clipped * length / hem_length if hem_length > 0 else clipped)
            normal = np.array([-tangent[1], tangent[0]])
            normal = normal if float(normal @ f.across) * sign > 0 else -normal  # away from the other leg
            half = float(np.linalg.norm(outer - inner)) * scale / 2
            pairs[f"{name}_{level}_outer"] = (outer, leg[-1] + normal * half)
            pairs[f"{name}_{level}_inner"] = (inner, leg[-1] - normal * half)
        limbs.append((np.array(leg), LEG_WIDTH * hip_width))
    body = np.array([f.right_hip - f.down * lift, f.left_hip - f.down * lift, pairs["crotch"][1]])
    inner = [f"{name}_{level}_inner" for name, levels in (("left", ("knee", "hem")), ("right", ("hem", "knee")))
             for level in levels]
    gap = np.array([pairs["crotch"][1], *[pairs[n][1] for n in inner if n in pairs]])
    return _pack(pairs, body, tuple(limbs), gap)


def _pack(pairs: dict[str, tuple[np.ndarray, np.ndarray]], body: np.ndarray,
          limbs: tuple[tuple[np.ndarray, float], ...], gap: np.ndarray | None = None,
          sleeves: tuple[SleeveFit, ...] = (), skirt: np.ndarray | None = None) -> GarmentFit:
    names = tuple(sorted(pairs))
    return GarmentFit(names=names, source=np.array([pairs[n][0] for n in names]),
                      target=np.array([pairs[n][1] for n in names]), body=body, limbs=limbs,
                      gap=gap if gap is not None else np.zeros((0, 2)), sleeves=sleeves,
                      skirt=skirt if skirt is not None else np.zeros((0, 2)))


def fit_garment(marks: GarmentLandmarks, pose: Pose, garment: Category,
                silhouette: np.ndarray | None = None, torso: np.ndarray | None = None,
                person: np.ndarray | None = None, rise: float | None = None) -> GarmentFit:
    """Pair each garment landmark with where it belongs on this pose (the product photo's `silhouette`
    tells a strappy top, whose straps go on the shoulders' tops); a top's or a dress's sides stand out of
    the `torso` (a mask at the person photo's size, `segment.worn_garment.bare_torso`) on every level; a
    sleeved garment's shoulder seams go on the shoulders' top as the `person` mask shows it; a lower garment's
    waistband goes `rise` px above the hip joints (the shopper's own, `segment.waistline.waist_rise`), and a
    regular-length top that would end just above that waistline goes down over it."""
    frame = body_frame(pose)
    if garment is Category.LOWER:
        fit = _lower_fit(marks, pose, frame, rise)
    else:
        straps = silhouette is not None and hangs_from_straps(silhouette, marks)
        bare = silhouette is not None and not straps and strapless(silhouette, marks)
        fit = _top_fit(marks, pose, frame, garment, straps, torso, silhouette, person, rise, bare)
    if len(fit.names) < 4:
        raise InvalidInput(f"too few landmarks found on the {garment} garment to fit it", field="garment")
    return fit


def _fill_limb(mask: np.ndarray, line: np.ndarray, thickness: float) -> None:
    """Draw a limb's band: rounded at its root and joints, cut square at its end (a sleeve's cuff, a trouser
    leg's hem), where a thick line's round cap would reach past the garment by half its width."""
    half = max(0.5, thickness / 2)
    for a, b in itertools.pairwise(np.asarray(line, np.float64)):
        along = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
        normal = np.array([-along[1], along[0]]) * half
        cv2.fillConvexPoly(mask, np.round([a + normal, b + normal, b - normal, a - normal]).astype(np.int32), 1)
        cv2.circle(mask, (round(a[0]), round(a[1])), round(half), 1, -1)


def covered_mask(fit: GarmentFit, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: the body under the garment (torso or pelvis, and the arms or legs it sleeves); none for a
    fit with no body (a garment laid on as it is, with no landmarks)."""
    mask = np.zeros(shape, np.uint8)
    if len(fit.body):
        cv2.fillPoly(mask, [np.round(fit.body).astype(np.int32)], 1)
    for line, thickness in fit.limbs:
        _fill_limb(mask, line, thickness)
    return mask


def _turned_in(elbow: np.ndarray, wrist: np.ndarray, frame: BodyFrame, side: float) -> float:
    """Degrees the forearm from `elbow` to `wrist` turns in from the body's axis towards its middle (negative:
    out), on the arm's `side` (1: the left)."""
    forearm = (wrist - elbow) / max(float(np.linalg.norm(wrist - elbow)), 1e-6)
    return float(np.degrees(np.arcsin(np.clip(-(forearm @ frame.across) * side, -1.0, 1.0))))


def hands_beside(fit: GarmentFit, pose: Pose, worn: np.ndarray, garment: Category) -> np.ndarray:
    """uint8 {0, 1}: what of a forearm and its hand the garment hangs behind: beside the forearm's bone on its
    outer side out to ARM_BAND shoulder widths, and its fingers (past the HAND_HEEL of a hand HAND_LENGTH past
    the wrist) out to half that each side, for a forearm turned in no more than HAND_TURNED_IN; less the
    `worn` garment (HxW, > 0 on it) and the body the new garment covers (`covered_mask`: a forearm it
    sleeves). Empty for a top (`garment`).

    A hand hanging beside the hips is often shaded and no skin colour keeps it in front, and an arm's outer
    rim is half backdrop: a dress wider than the body filled the room the person mask gives there, and its
    side took the hand's outline, a loop round the hand and a line of cloth along the arm's outer edge.
    Behind the arm the side runs on under it, hidden; past it no cloth clings to the hand. A top ends about
    the wrists, and beside an arm bared from an old sleeve (repainted) this cut its side in.
    """
    beside = np.zeros(worn.shape[:2], np.uint8)
    if garment is Category.UPPER:
        return beside
    frame = body_frame(pose)
    half = ARM_BAND * frame.shoulder_width / 2
    for side in (1.0, -1.0):
        arm = _arm(pose, frame, side)
        if len(arm) < 3:
            continue
        elbow, wrist = arm[1], arm[2]
        tip = wrist + HAND_LENGTH * (wrist - elbow)
        if _turned_in(elbow, wrist, frame, side) > HAND_TURNED_IN:  # a hand in a pocket: the side goes in over it
            continue
        out = frame.across * side * 2 * half  # past the arm's rim, where the room's feather still reaches
        bone = [elbow, wrist, tip]
        cv2.fillPoly(beside, [np.round([*bone, *(p + out for p in bone[::-1])]).astype(np.int32)], 1)
        # Inward of the bone, the fingers only: beside the wrist and the heel of the hand the garment meets
        # them (left out there, the old garment its mask missed showed as a blotch beside the wrist).
        fingers = wrist + HAND_HEEL * (tip - wrist)
        across = (tip - wrist)[::-1] * (1.0, -1.0) * half / max(float(np.linalg.norm(tip - wrist)), 1e-6)
        hand = [fingers + across, tip + across, tip - across, fingers - across]
        cv2.fillConvexPoly(beside, np.round(hand).astype(np.int32), 1)
    return np.asarray(beside & (worn == 0) & (covered_mask(fit, worn.shape[:2]) == 0), np.uint8)


def between_legs(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: between the legs' bones (hip, knee, ankle: `_leg`) from the hips down, which holds the gap
    between the legs however wide it is."""
    frame = body_frame(pose)
    between = np.zeros(shape, np.uint8)
    outline = [*_leg(pose, frame, 1.0), *_leg(pose, frame, -1.0)[::-1]]
    cv2.fillPoly(between, [np.round(outline).astype(np.int32)], 1)
    return between


def below_hem(worn: np.ndarray, origin: np.ndarray, down: np.ndarray) -> np.ndarray:
    """bool HxW: below the `worn` mask's lowest point along the body's `down` axis (measured from `origin`)."""
    ys, xs = np.nonzero(worn)
    height, width = worn.shape
    if ys.size == 0:
        return np.zeros((height, width), bool)
    lowest = float(np.max((xs - origin[0]) * down[0] + (ys - origin[1]) * down[1]))
    along = ((np.arange(height) - origin[1]) * down[1])[:, None] + ((np.arange(width) - origin[0]) * down[0])[None]
    return np.asarray(along > lowest)


def flare_beside(alpha: np.ndarray, person_mask: np.ndarray, worn: np.ndarray, pose: Pose, fit: GarmentFit,
                 garment: Category) -> np.ndarray:
    """bool HxW: where a dress or a skirt that hangs past the `worn` garment's hem (`below_hem`) shows off the
    person (`person_mask` <= 0.5): its own outline as warped (`alpha`) from the waist down (WAIST_RISE above the
    hip joints' line), no broader than its own (`fit.skirt`); nothing for a dress that ends above the old
    hem, nor for trousers (`fit.gap`: their legs part, `hanging_room`), nor for a top (`garment`): its sleeves
    hang beside the waist, and a bell sleeve's flare, let out there, stood out beside the arm. A skirt flares
    whatever the old hem: on a shopper in trousers, which run on below it to the ankles, it never hangs past the
    old hem, and an A-line midi was cut to the trousers' outline, a tube down the legs.

    Cut to the legs' outer outline, an A-line or flared midi longer than the old dress narrowed into a tube.
    A skirt flares from the waist: let out only past the old hem, a longer A-line dress over a narrower
    sheath stepped out there like a peplum, and taken only where its flare joins the old hem's level, a hand
    touching the old dress shut off the backdrop between arm and hip and the skirt stepped out below it."""
    height, width = person_mask.shape[:2]
    if garment is Category.UPPER or len(fit.gap):
        return np.zeros((height, width), bool)
    frame = body_frame(pose)
    waist = (frame.left_hip + frame.right_hip) / 2 - frame.down * WAIST_RISE * frame.torso
    along = ((np.arange(height) - waist[1]) * frame.down[1])[:, None] \
        + ((np.arange(width) - waist[0]) * frame.down[0])[None]
    skirt = (alpha > 0.5) & (along > 0)
    origin = (frame.left_shoulder + frame.right_shoulder) / 2
    if garment is not Category.LOWER and not (skirt & below_hem(worn > 0, origin, frame.down)).any():
        return np.zeros((height, width), bool)
    if len(fit.skirt):
        own = np.zeros((height, width), np.uint8)
        cv2.fillPoly(own, [np.round(fit.skirt).astype(np.int32)], 1)
        skirt &= own > 0
    return np.asarray(skirt & (person_mask <= 0.5))


def hanging_room(person_mask: np.ndarray, pose: Pose, fit: GarmentFit) -> np.ndarray:
    """uint8 {0, 1}: where the warped garment may show: on the person, and below the line through the shoulder
    joints across the gaps of the person's silhouette narrower than HANG_GAP shoulder widths; a garment with no
    trouser legs (`fit.gap` empty: a dress, a skirt, a top) across the whole gap between the legs too
    (`between_legs`).

    Cloth hangs across a narrow gap of the body (a hem across the gap between the legs, a loose side across
    the gap between an arm and the waist): cut to the person mask there, the garment took a notch at its hem.
    Past the silhouette's outer outline the fit's generous margins (`body.SIDE_PAD`) are still the person
    mask's to trim: there a garment's side stood out beyond the arm. Above the shoulders the body carries the
    garment, and its outline is the body's. A dress or a skirt hangs as one piece down to its own hem however
    far apart the legs stand: only trousers part between them. Past a shorter old dress's hem the thighs stand
    wider apart than HANG_GAP, and a midi dress put on over a knee-length one had a notch of backdrop cut up
    between the legs (culottes; a long tee over shorts on legs standing apart had one too); its own hem, as
    warped, still ends it, so a shorter dress bares the legs and the backdrop between them. Beside the legs,
    a garment hanging past the old hem shows its own flare (`flare_beside`).
    """
    frame = body_frame(pose)
    person = (person_mask > 0.5).astype(np.uint8)
    # The closing runs at a quarter of the size (its disc is tens of pixels wide), scaled back up smoothly.
    height, width = person.shape
    small = cv2.resize(person, (max(1, width // HANG_SHRINK), max(1, height // HANG_SHRINK)),
                       interpolation=cv2.INTER_AREA)
    side = max(3, round(HANG_GAP * frame.shoulder_width / HANG_SHRINK) | 1)
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    gaps = (cv2.resize(closed.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR) > 0.5)
    origin = (frame.left_shoulder + frame.right_shoulder) / 2
    reach = float(height + width)  # past every corner of the photo
    line = (origin - frame.across * reach, origin + frame.across * reach)
    below = np.zeros(person.shape, np.uint8)
    corners = [line[0], line[1], line[1] + frame.down * reach, line[0] + frame.down * reach]
    cv2.fillConvexPoly(below, np.round(corners).astype(np.int32), 1)
    room = person | (gaps & (below > 0))
    if len(fit.gap) == 0:
        room |= between_legs(pose, person.shape) > 0
    return np.asarray(room, np.uint8)


def beside_legs(fit: GarmentFit, alpha: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: where the body's legs would be under trousers but the warped trousers (`alpha`) are not.

    A leg is narrower than any trouser leg, so beside a narrow trouser leg put on over wide trousers is
    background, not a thigh: the repaint leaves this out of the body it paints skin on. Empty for garments
    without trouser legs. Only on the rows the new leg reaches: below its hem (shorts over trousers) is the bared leg,
    and the band's round end there cut a notch of backdrop into the thigh's top below the hem.
    """
    beside = np.zeros(alpha.shape, np.uint8)
    if len(fit.gap) == 0:
        return beside
    worn = alpha > 0.5
    for line, thickness in fit.limbs:
        band = np.zeros(alpha.shape, np.uint8)
        cv2.polylines(band, [np.round(line).astype(np.int32)], False, 1, max(1, round(thickness)))
        beside |= band * (band.astype(bool) & worn).any(axis=1, keepdims=True).astype(np.uint8)
    return beside & ~worn


@dataclass(frozen=True)
class WarpedGarment:
    image: np.ndarray  # RGB uint8 at the person's size
    alpha: np.ndarray  # float32 [0, 1]: the warped garment mask, soft at its edge
    fit: GarmentFit
    # uint8: 1 + the index in `fit.sleeves` of the sleeve laid on its own over each pixel (`warp_sleeves`), else 0
    laid: np.ndarray


def _probes(target: np.ndarray, shape: tuple[int, int], gap: np.ndarray | None = None) -> np.ndarray:
    """Grid points over the targets' convex hull, less the `gap` between trouser legs, where the warp must
    not fold."""
    hull = np.zeros(shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(np.round(target).astype(np.int32)), 1)
    if gap is not None and len(gap) >= 3:
        cv2.fillPoly(hull, [np.round(gap).astype(np.int32)], 0)
    ys, xs = np.nonzero(hull[::PROBE_STEP, ::PROBE_STEP])
    points = np.stack([xs, ys], axis=1).astype(np.float64) * PROBE_STEP
    return points if len(points) >= 3 else target


def warp_garment(product: np.ndarray, mask: np.ndarray, fit: GarmentFit, shape: tuple[int, int],
                 backdrop: np.ndarray) -> WarpedGarment:
    """The product photo and its mask bent onto the person photo's frame (`shape`): the garment's body by a
    fold-free TPS, and over it each sleeve of `GarmentFit.sleeves` by the spline through its quadrilateral
    (`backdrop`: the backdrop's colour on the mask's outline, whose armpit's notch a sleeve does not carry,
    `warp_sleeves`).

    One spline cannot turn a sleeve from its photo's outward slant down a hanging arm while the body beside
    it stays put: it kept the slant (wings beside the arm, which the person mask cut off), and pinned harder
    it opened the photo's backdrop between sleeve and side into the torso.
    """
    # The inverse map (person -> product) is what sampling needs: each output pixel looks up its source.
    inverse = fit_fold_free(fit.target, fit.source, _probes(fit.target, shape, fit.gap))
    maps = sampling_maps(inverse, shape)
    body = without_sleeves(mask, fit.sleeves)
    image = remap(body_texture(product, mask, body, fit.sleeves, backdrop), maps, border=(0, 0, 0))
    alpha = np.clip(remap(body, maps, border=0.0), 0.0, 1.0)
    image, alpha, laid = warp_sleeves(product, mask, fit.sleeves, image, alpha, backdrop)
    return WarpedGarment(image=image, alpha=alpha, fit=fit, laid=laid)
