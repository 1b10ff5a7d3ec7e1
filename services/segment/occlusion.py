"""What stays in front of a new garment: the head and hair, bare neck, arms and hands, and arms that cross
the body.

Human parsing would say this per pixel, but its weights are untrained here, so the pose says it: a disc
over the head, thick bands along the arm's bones where they pass over the torso, and skin (by colour)
where the pose puts a neck, a hand or an arm the garment does not sleeve. Pure numpy/OpenCV.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import PAD, BodyFrame, Pose, body_frame, shoulder_rise
from fittingroom.common.images import joining, mask_box, rounded_outline, smoothed_contours
from fittingroom.segment.worn_garment import (
    SKIN_DRIFT,
    SPECK_SIDE,
    head_mask,
    skin_distance,
    skin_mask,
    speckless,
    thin_arms,
)

ARM_VISIBLE = 0.5  # an arm drawn in front of the garment must be seen, not guessed
ARM_WIDTH = 0.26  # of the shoulder width: an arm seen from the front, with its sleeve
# An arm crosses the body only where its bone runs this far (of the shoulder width) inside the torso's
# outline: an arm hanging at the side starts on the outline, at the shoulder, and must not count.
CORE_INSET = 0.15
NECK_HALF_WIDTH = 0.22  # of the shoulder width: half a neck's width, with its shadow
# Of the shoulder width: how far below the shoulders' top (`shoulder_rise`, at least PAD above the joints) the
# neck's base reaches, a crew neckline's depth. Measured from the joints instead (0.1-0.28 below the top on the
# development photos), a camisole shopper's chest stayed in front of a tee and cut a scoop into it.
NECK_DIP = 0.15
# A collar stands round the neck: its sides wrap the neck's lower sides, in front of them, and the neck shows in a V
# between them (the throat), its point on the shoulders' top (NECK_DIP above the neck's base: a collar closes
# above a crew neckline), widening this much across per unit up.
THROAT_SLOPE = 0.8
# Of the shoulder width: how far up the neck from the shoulders' top a collar wraps it at the neck's outline; its rim
# round the neck, seen from the front, curves down towards the throat by RIM_CURVE of that (an ellipse's lower arc).
COLLAR_HEIGHT = 0.13
RIM_CURVE = 0.5
# Of the shoulder width: how far below the nose a chin reaches (0.2-0.25 on the development photos), with a margin: a
# collar's rim stays below it, for a head lowered towards the chest (the nose 0.56-0.67 above the neck's base there).
CHIN_REACH = 0.3
# Of the shoulder width: how far out beside the neck's column a new garment's top edge is read (where its neckline
# starts at the neck's side).
NECK_SIDE = 0.05
NECK_GAP_PX = 2  # the widest run of garment px along a row between the neck in front and what is in front beside it
OUTLINE_RIM = 1  # px: the old garment's anti-aliased rim round its outline, repainted with it
NECK_AXIS = 0.03  # of the shoulder width: half the band down the neck's axis where the neck's lowest point is read
OUTLINE_SMOOTH = 0.006  # of the longer side: the blur that rounds bare skin's outline (3 px at 512)
# Of the shoulder width squared: a piece of skin "in front" this small lying wholly on the new garment is a speck
# of the skin test (an arm's skin seen through the gap between the old garment and the arm: 0.007-0.010 on the
# development photos), not a hand (0.03 and more): kept in front it punched a hole through the garment.
SPECK_AREA = 0.015
SPECK_ON_GARMENT = 0.9  # the least share of such a speck that lies on the garment
# Of the wrist-to-knuckles length (BlazePose's wrist to its pinky and index points' midpoint: the palm): how far past
# the wrist a hand reaches, its fingers about as long again as the palm.
HAND_LENGTH = 2.0
# Of the wrist-to-knuckles length: how far past the wrist the hand found in a hand's zone must reach to be a hand seen.
# A hand in a trouser pocket shows its wrist down to the pocket's edge and no further (0.53 of the way to the knuckles
# BlazePose guesses inside the pocket, on a full-length photo, and nothing found in it mirrored, darker, warmer or
# smaller; another pocket: nothing found); hands seen, hanging or on the hip, reach 0.9-2.0, one holding a bag 0.8-0.9
# (or nothing found, in shade). Kept, the wrist past a long sleeve's cuff floated on the new top as a patch of skin.
HAND_SEEN = 0.7
# BlazePose hand points: pinky and index knuckles; the hand's tip is their midpoint.
_LEFT_ARM = (lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST)
_RIGHT_ARM = (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST)
_HANDS = {lm.LEFT_WRIST: (17, 19), lm.RIGHT_WRIST: (18, 20)}


def arm_chains(pose: Pose) -> list[list[np.ndarray]]:
    """Each arm's seen joints from the shoulder on, ending at the hand's tip when the hand is seen."""
    chains = []
    for joints in (_LEFT_ARM, _RIGHT_ARM):
        chain: list[np.ndarray] = []
        for index in joints:
            if not pose.visible(index, ARM_VISIBLE):
                break
            chain.append(pose.points[index].astype(np.float64))
        wrist = joints[-1]
        if len(chain) == len(joints) and all(pose.visible(i, ARM_VISIBLE) for i in _HANDS[wrist]):
            chain.append(pose.points[list(_HANDS[wrist])].astype(np.float64).mean(axis=0))
        if len(chain) >= 2:
            chains.append(chain)
    return chains


@dataclass(frozen=True)
class HandZone:
    """Where a hand the pose sees lies (`hand_zone`): `mask`, bool HxW; its `wrist` and `palm`, the wrist to the
    knuckles' midpoint (x, y)."""

    mask: np.ndarray
    wrist: np.ndarray
    palm: np.ndarray


@dataclass(frozen=True)
class Hands:
    """The hands in front (`hands`): `found`, uint8 {0, 1} HxW, and their `zones` (bool HxW)."""

    found: np.ndarray
    zones: list[np.ndarray]


def hand_zone(pose: Pose, shape: tuple[int, int]) -> list[HandZone]:
    """Each hand the pose sees (its wrist and knuckles): past the wrist, a band ARM_WIDTH of the shoulder width wide
    from the wrist through the knuckles' midpoint on to HAND_LENGTH of the way there (the fingers)."""
    zones = []
    width = body_frame(pose).shoulder_width
    for wrist, knuckles in _HANDS.items():
        if not all(pose.visible(i, ARM_VISIBLE) for i in (wrist, *knuckles)):
            continue
        start = pose.point(wrist)
        palm = pose.points[list(knuckles)].astype(np.float64).mean(axis=0) - start
        reach = HAND_LENGTH * palm
        length = float(np.linalg.norm(reach))
        if length < 1.0:
            continue
        side = np.array([-reach[1], reach[0]]) / length * ARM_WIDTH * width / 2
        corners = np.array([start - side, start + side, start + reach + side, start + reach - side])
        zone = np.zeros(shape, np.uint8)
        cv2.fillPoly(zone, [np.round(corners).astype(np.int32)], 1)
        zones.append(HandZone(zone > 0, start, palm))
    return zones


def hands(image: np.ndarray, skin: np.ndarray, person_mask: np.ndarray, pose: Pose, pockets_in_front: bool) -> Hands:
    """Each seen hand (`hand_zone`): the pixels on the person in the skin's chroma as it drifts in shade (within
    SKIN_DRIFT of the face's, `skin_distance`) that join the `skin` found in its zone, where they reach HAND_SEEN of
    the way to the knuckles or, `pockets_in_front`, go into a pocket: a hand in a trouser pocket is in front of new
    trousers (its thumb over the pocket's edge), and under a new top or dress, which hangs over the pocket (its wrist's
    end past a long sleeve's cuff floated on the top as a patch of skin).

    The skin test takes drifted skin only a few px from skin it found: a hand on the hip in its arm's shade, fingers
    down a dark trouser's side (within 1.0-1.4 tolerances of the face's chroma; the trousers and the backdrop beside
    them 2.2-2.3), was found at its wrist and lost past it."""
    shape = image.shape[:2]
    found = np.zeros(shape, np.uint8)
    zones = hand_zone(pose, shape)
    if not any(zone.mask.any() for zone in zones):
        return Hands(found, [])
    box = mask_box(np.any([zone.mask for zone in zones], axis=0))
    distance = skin_distance(image, pose, person_mask, box)
    if distance is None:
        return Hands(found, [])
    drifted = (distance < SKIN_DRIFT**2) & (person_mask[box] > 0.5)
    seen = skin[box] > 0
    kept = []
    for zone in zones:
        inside = zone.mask[box]
        grown = joining(drifted & inside, seen & inside) > 0
        # What the drift adds is a hand only as thick as the skin test's skin (`speckless`): between a fair hand's
        # fingers and along their edges it adds slivers 1-4 px wide of the backdrop seen through, tinted by the skin,
        # which kept in front cut a white notch into a dress beside the hand (a hand in shade: 6-8 px wide).
        hand = ((grown & seen) | (speckless(grown & ~seen) > 0)).astype(np.uint8)
        # A finger's crease (at its nail, its knuckle) is a line a px wide off the drift: left out, the garment
        # behind showed through it as a white bar across the finger.
        hand = (cv2.morphologyEx(hand, cv2.MORPH_CLOSE, np.ones((SPECK_SIDE, SPECK_SIDE), np.uint8)) > 0) & inside
        ys, xs = np.nonzero(hand)
        along = (xs + box[1].start - zone.wrist[0]) * zone.palm[0] + (ys + box[0].start - zone.wrist[1]) * zone.palm[1]
        if not pockets_in_front and (ys.size == 0 or along.max() < HAND_SEEN * float(zone.palm @ zone.palm)):
            continue
        found[box] |= hand.astype(np.uint8)
        kept.append(zone.mask)
    return Hands(found, kept)


def _draw(chains: list[list[np.ndarray]], shape: tuple[int, int], thickness: int, start: int = 0) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    for chain in chains:
        for a, b in itertools.pairwise(chain[start:]):
            cv2.line(mask, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), 1, thickness)
    return mask


def arms_across(pose: Pose, body: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: arm bands where the arm's bone passes over the torso polygon `body`."""
    width = body_frame(pose).shoulder_width
    torso = np.zeros(shape, np.uint8)
    cv2.fillPoly(torso, [np.round(body).astype(np.int32)], 1)
    inset = max(3, round(2 * CORE_INSET * width) | 1)
    core = cv2.erode(torso, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (inset, inset)))
    bones = _draw(arm_chains(pose), shape, 1) & core
    side = max(3, round(ARM_WIDTH * width) | 1)
    return np.asarray(cv2.dilate(bones, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))), np.uint8)


def bare_zone(pose: Pose, covered: np.ndarray, person_mask: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1}: where skin-coloured pixels are trusted to be bare skin in front of the garment.

    The neck (its column above the shoulders' midpoint), forearms and hands, and upper arms the garment does not
    sleeve. Skin colour alone is not trusted elsewhere: tan, orange or pink cloth passes the chroma test
    and would punch holes in the new garment. The neck's base is placed from the shoulders' top on the
    `person_mask` where given.
    """
    shape = covered.shape
    frame = body_frame(pose)
    width = frame.shoulder_width
    chains = arm_chains(pose)
    thickness = max(3, round(ARM_WIDTH * width))
    forearms = _draw(chains, shape, thickness, start=1)
    upper_arms = _draw([chain[:2] for chain in chains], shape, thickness)
    # The neck's own column, a shoulder width up from the joints' midpoint, rounded at its base like a crew
    # neckline: beside and below it the shoulders and chest are the new garment's where it reaches them (a tee
    # over a camisole), skin or not.
    base = _neck_base(frame, person_mask)
    height = (width - base) / 2
    centre = (frame.left_shoulder + frame.right_shoulder) / 2 - frame.down * (base + height)
    angle = float(np.degrees(np.arctan2(frame.across[1], frame.across[0])))
    neck = np.zeros(shape, np.uint8)
    cv2.ellipse(neck, (round(centre[0]), round(centre[1])), (max(1, round(NECK_HALF_WIDTH * width)),
                max(1, round(height))), angle, 0, 360, 1, -1)
    return np.asarray(forearms | (upper_arms & (1 - covered)) | neck, np.uint8)


def _neck_base(frame: BodyFrame, person_mask: np.ndarray | None) -> float:
    """px above the shoulder joints' line: the neck's base, NECK_DIP below the shoulders' top (`shoulder_rise` on the
    `person_mask` where given, at least PAD above the joints)."""
    return max(PAD * frame.shoulder_width, shoulder_rise(frame, person_mask)) - NECK_DIP * frame.shoulder_width


def occluders(image: np.ndarray, person_mask: np.ndarray, pose: Pose, covered: np.ndarray,
              body: np.ndarray, skin: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1}: pixels of the person that stay in front of the new garment.

    `covered` is the body under the garment (torso, sleeved arms or legs), `body` the torso polygon that
    arms in front of it cross, `skin` the shopper's skin (`skin_mask`'s, worked out when not given). Forearms and
    hands stay in front even over the covered body: a hand on the chest is on top of the shirt.
    """
    shape = image.shape[:2]
    skin = skin_mask(image, pose, person_mask) if skin is None else skin
    zone = bare_zone(pose, covered, person_mask)
    # A full-length photo's arm, a few px wide, is kept in front on its own (`hanging_arms`): rounded with the rest
    # of the skin, it kept only its wider bits (round patches of skin on a tee's side by the elbow); left out, a
    # loose top covered the whole of an arm hanging against the body, and only the hand at its end showed.
    thin = hanging_arms(skin, zone, person_mask, pose)
    # Skin found pixel by pixel by its colour has a ragged outline, specks and pinholes (a shadow, a
    # highlight): as the garment's cut it tore the garment's edge along arms and hands. An arm's outline is
    # smooth: blurred and cut at half, the specks and pinholes go and the outline runs smooth.
    skin = rounded_outline((skin > 0) & ~thin & (zone > 0), OUTLINE_SMOOTH * max(shape)).astype(np.uint8)
    front = head_mask(pose, shape) | skin | thin | arms_across(pose, body, shape)
    return np.asarray(front & (person_mask > 0.5), np.uint8)


def hanging_arms(skin: np.ndarray, zone: np.ndarray, person_mask: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: a full-length photo's arms, a few px wide (`thin_arms`), with the `skin` beside them (within
    SPECK_SIDE) in the `zone` where skin is trusted; their outline smoothed along its length (`smoothed_contours`: a
    blur cuts a thin arm apart) and reaching out to the backdrop: the arm's anti-aliased outer edge fails the skin
    test, and the garment behind it showed there as a dotted line beside the arm."""
    square = np.ones((SPECK_SIDE, SPECK_SIDE), np.uint8)
    strips = thin_arms(skin, speckless(skin), person_mask, pose).astype(np.uint8)
    near = (skin > 0) & (zone > 0) & (cv2.dilate(strips, square) > 0)
    arms = smoothed_contours(near, OUTLINE_SMOOTH * max(skin.shape)).astype(np.uint8)
    backdrop = cv2.dilate((person_mask <= 0.5).astype(np.uint8), square) > 0
    return np.asarray((arms > 0) | ((cv2.dilate(arms, square) > 0) & backdrop))


def without_specks(front: np.ndarray, garment: np.ndarray, pose: Pose, hand_zones: list[np.ndarray]) -> np.ndarray:
    """uint8 {0, 1}: `front` less its pieces smaller than SPECK_AREA lying on the `garment` (a mask, > 0.5 on
    it) for SPECK_ON_GARMENT of their area, but for a hand's (meeting one of the `hand_zones`, `Hands`'): a hand on the
    hip past a long sleeve's cuff, a strip of fingers, is that small."""
    count, pieces, stats, _ = cv2.connectedComponentsWithStats(front.astype(np.uint8), connectivity=8)
    small = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] < SPECK_AREA * body_frame(pose).shoulder_width ** 2)
    for zone in hand_zones:
        small = small[~np.isin(small, pieces[zone])]
    small = small[small > 0]
    if small.size == 0:
        return np.asarray(front, np.uint8)
    on_garment = np.bincount(pieces.ravel(), weights=(garment > 0.5).ravel().astype(np.float64), minlength=count)
    specks = small[on_garment[small] >= SPECK_ON_GARMENT * stats[small, cv2.CC_STAT_AREA]]
    return np.asarray((front > 0) & ~np.isin(pieces, specks), np.uint8)


@dataclass(frozen=True)
class _NeckWindow:
    """A window round the neck's base (`_neck_base`, on the neck's axis): its slices, and each of its px's place up the
    body from the base and across from the axis (signed), in shoulder widths; `grow`: the side, in px, of the rounded
    outline of the neck's skin kept in front (`occluders`); `base`: the neck's base in the photo."""

    base: np.ndarray
    box: tuple[slice, slice]
    up: np.ndarray
    across: np.ndarray
    grow: int


def _neck_window(pose: Pose, person_mask: np.ndarray | None, shape: tuple[int, int], reach: float, below: float
                 ) -> _NeckWindow:
    """The window `reach` px up and to each side of the neck's base and `below` px down from it, each grown by the
    skin's rounded outline (within the photo)."""
    frame = body_frame(pose)
    width = frame.shoulder_width
    centre = (frame.left_shoulder + frame.right_shoulder) / 2 - frame.down * _neck_base(frame, person_mask)
    grow = max(3, round(OUTLINE_SMOOTH * max(shape)) * 2 + 1)
    top, left = max(int(centre[1] - reach - grow), 0), max(int(centre[0] - reach - grow), 0)
    bottom = min(max(int(centre[1] + below + grow) + 1, top), shape[0])
    right = min(max(int(centre[0] + reach + grow) + 1, left), shape[1])
    ys, xs = np.mgrid[top:bottom, left:right]
    up = -((xs - centre[0]) * frame.down[0] + (ys - centre[1]) * frame.down[1]) / width
    across = ((xs - centre[0]) * frame.across[0] + (ys - centre[1]) * frame.across[1]) / width
    return _NeckWindow(centre, (slice(top, bottom), slice(left, right)), up, across, grow)


def collar_over_neck(alpha: np.ndarray, skin: np.ndarray, pose: Pose, person_mask: np.ndarray | None = None
                     ) -> np.ndarray:
    """bool HxW: where a new garment's collar (`alpha`, > 0.5 on it, warped onto the body) stands in front of the
    neck: on the neck's `skin` (and its outline's anti-aliased px) beside the throat's V, from the neck's base (as
    `bare_zone` places it) up to the collar's rim, within the neck's column.

    The neck's skin is kept in front of a new garment down to a crew neckline's depth (`bare_zone`): a collar
    standing round the neck was cut flat there, its sides behind the neck. Between them the neck shows (the throat),
    in front of the collar's back and of the inside seen through its opening. Hair and earrings are no skin of the
    neck's, and the rim stays CHIN_REACH below the nose: they stay in front.
    """
    shape = alpha.shape[:2]
    frame = body_frame(pose)
    width = frame.shoulder_width
    # Worked in a square round the neck's base that holds the collar's reach (the same in a fraction of the time).
    reach = (NECK_DIP + COLLAR_HEIGHT + NECK_HALF_WIDTH) * width
    window = _neck_window(pose, person_mask, shape, reach, reach)
    box, up, across, grow = window.box, window.up, np.abs(window.across), window.grow
    beside_throat = across > THROAT_SLOPE * (up - NECK_DIP)
    rim = NECK_DIP + COLLAR_HEIGHT * (1 - RIM_CURVE * np.sqrt(1 - np.minimum(across / NECK_HALF_WIDTH, 1.0) ** 2))
    if pose.sees(lm.NOSE):  # the chin stays in front
        rim = np.minimum(rim, float((window.base - pose.point(lm.NOSE)) @ frame.down) / width - CHIN_REACH)
    # From a few px below the neck's base, where the neck's column ends in the rounded outline of its skin.
    column = (up > -grow / width) & (up < rim) & (across < NECK_HALF_WIDTH)
    neck = cv2.dilate((skin[box] > 0).astype(np.uint8), np.ones((grow, grow), np.uint8)) > 0
    collar = np.zeros(shape, bool)
    collar[box] = (alpha[box] > 0.5) & beside_throat & column & neck
    return collar


def neck_over_neckline(front: np.ndarray, alpha: np.ndarray, outline: np.ndarray, pose: Pose,
                       person_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(uint8 {0, 1}: `front` with the neck's column ending in a crew neckline's U over a new collarless garment
    (`alpha`, > 0.5 on it, warped onto the body, the inside seen through its neck hidden); bool: the old garment's
    `outline` (with its anti-aliased rim, OUTLINE_RIM px) that the U brings in front, to be repainted as the neck).

    The neck's skin stays in front down to the neck's base (`bare_zone`); where the new garment's top edge beside the
    column stands higher (above an old V, or a broad neckline), the skin's own outline (the old collar's edge, a
    shadow) cut it with a step, a notch either side of the neck. A neckline runs from the garment's top edge at the
    neck's side (NECK_HALF_WIDTH out, read per side) down to where the neck in front ends on its axis, an ellipse's
    lower arc: above it the person is in front (hair, and the old collar, which is repainted: left, an old rib's end
    stood as a dark line inside the new neckline), below it the garment.
    """
    shape = alpha.shape[:2]
    width = body_frame(pose).shoulder_width
    neck_window = _neck_window(pose, person_mask, shape, (NECK_HALF_WIDTH + NECK_SIDE) * width, 0.0)
    box, up, signed, grow = neck_window.box, neck_window.up, neck_window.across, neck_window.grow
    garment = alpha[box] > 0.5
    person = np.ones_like(garment) if person_mask is None else person_mask[box] > 0.5
    window = front[box] > 0
    # The neckline's lowest point in front: where the neck in front ends now down the neck's axis (an old V's skin
    # below it is chest, `neckline_opening`), at most at the neck's base.
    axis = window & (np.abs(signed) < NECK_AXIS)
    if not axis.any():
        return np.asarray(front, np.uint8), np.zeros(shape, bool)
    lowest = max(float(up[axis].min()), 0.0)
    neckline = np.full(garment.shape, -np.inf)
    for side in (1.0, -1.0):
        # The garment's top edge just outside the neck's column on this side: the highest garment px per px column.
        strip = (side * signed >= NECK_HALF_WIDTH) & (side * signed < NECK_HALF_WIDTH + NECK_SIDE)
        tops = np.where(garment & strip, up, -np.inf).max(axis=0)
        tops = tops[np.isfinite(tops)]
        if tops.size == 0:
            continue
        edge = float(np.median(tops))
        if edge <= lowest:  # the garment's neckline is at or below the neck's end there: nothing cut into it
            continue
        across = np.minimum(np.abs(signed) / NECK_HALF_WIDTH, 1.0)
        arc = lowest + (edge - lowest) * (1 - np.sqrt(1 - across ** 2))
        neckline = np.where(side * signed >= 0, arc, neckline)
    column = (np.abs(signed) < NECK_HALF_WIDTH) & np.isfinite(neckline) & garment
    below = column & (up < neckline) & (up > -grow / width)
    above = column & (up >= neckline) & person
    kept = (window & ~below) | above
    # A px or two of the garment left standing between the U and what is in front beside the column (the head's disc)
    # stood as a thin dark spike up the neck's side: closed along the rows, above the U's lowest point.
    gap = np.ones((1, 2 * NECK_GAP_PX + 1), np.uint8)
    closed = cv2.morphologyEx(kept.astype(np.uint8), cv2.MORPH_CLOSE, gap) > 0
    beside = np.abs(signed) < NECK_HALF_WIDTH + NECK_SIDE
    above |= closed & ~kept & person & beside & (up > lowest) & np.isfinite(neckline).any()
    kept |= above
    out = front.astype(np.uint8).copy()
    out[box] = kept.astype(np.uint8)
    rim = np.ones((2 * OUTLINE_RIM + 1, 2 * OUTLINE_RIM + 1), np.uint8)
    old = cv2.dilate((outline[box] > 0).astype(np.uint8), rim) > 0
    bared = np.zeros(shape, bool)
    bared[box] = above & old & ~window
    return out, bared
