"""Where the shopper's own garment is: person mask ∩ the body region of its category, refined by GrabCut;
and where their body is under it.

Design mode repaints this garment; the classical garment path takes its folds and light and repaints what
the new garment leaves of it. The region comes from the one body geometry (`common.body`); skin (its
colour learnt from the shopper's own face) and the head are kept out, and so is the shopper's other
garment where its colours differ (a top's hem over jeans). Pure numpy/OpenCV, so it is tested on
synthetic images without any model.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import NamedTuple

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import HIP_BREADTH, PAD, SLEEVE_WIDTH, BodyFrame, Pose, body_frame, knees, top_outline
from fittingroom.common.errors import InvalidInput
from fittingroom.common.garment import Category
from fittingroom.common.images import joining, mask_box, rounded_outline
from fittingroom.segment.foreign import colour_zone, cut_off, foreign_parts, hands_reach, nearest_distance
from fittingroom.segment.grabcut import grabcut
from fittingroom.segment.legs import leg_shapes

GRABCUT_MAX_SIDE = 160  # the garment's extent is what GrabCut decides here; person mask and skin give its edge
# Skin in YCrCb (Chai & Ngan 1999): a broad, illumination-tolerant box around skin chroma, used only when the
# pose cannot see the face to learn the shopper's own skin from (a pink shirt sits inside this box).
SKIN_CR = (135, 175)
SKIN_CB = (85, 130)
FACE_RADIUS = 0.12  # of the shoulder width: the disc around the nose whose colour is the shopper's skin
MIN_FACE_PIXELS = 30
SKIN_SPREAD = 3.0  # robust standard deviations of the face's chroma that still count as the same skin
MIN_SKIN_TOLERANCE = 6.0  # Cr/Cb levels: a face lit evenly has almost no spread, arms in shade drift this far
SKIN_DRIFT = 1.5  # tolerances: how far skin lit otherwise than the face drifts in chroma (a pink shirt: 2.5)
SKIN_DRIFT_REACH = 0.03  # of the longer side: how far from the skin found that drifted skin is taken
EXTREMITY_RADIUS = 0.05  # of the shoulder width: the disc at a wrist or an ankle that is a hand's or foot's skin
CUFF_REACH = 0.12  # of the shoulder width: a cuff's far edge from the wrist joint (a hand beside it is skin)
# A forearm's skin: a piece of it in the face's chroma running along FOREARM_RUN of the elbow-to-wrist length within
# FOREARM_BAND (of the shoulder width) of the bone, which goes on past the wrist by HAND_REACH of that length (the
# hand). What joins it at the hand in the face's chroma diluted by up to LIT_SHARE of grey's (light) is the hand's.
FOREARM_BAND = 0.2
FOREARM_RUN = 0.6
HAND_REACH = 0.5
LIT_SHARE = 0.4
SPECK_SIDE = 5  # px: a piece of skin thinner than this square is a speck (a print's, a highlight's), or a thin arm
ARM_STRIP_RUN = 0.25  # of a bone's length (shoulder-elbow, elbow-wrist): how far a thin strip of arm skin runs along it
WRIST_SHARE = 0.15  # of the elbow-to-wrist length: the hand's zone starts this far above the wrist joint
HELD_WIDTH = 0.25  # of the shoulder width: how far a held bag's end hides the garment's columns beside it
MASK_SEED = 0
MIN_GARMENT_SHARE = 0.002  # of the photo: less is no garment
# Of the shoulder width: the widest a strap across bare skin is; it runs at least STRAP_LENGTH times that.
STRAP_WIDTH = 0.05
STRAP_LENGTH = 3
STRAP_CONTRAST = 0.25  # of the skin's brightness beside it: how much darker a strap is
STRAP_RIM = 5  # px: the square a strap is grown by (its anti-aliased rim)
# Of the shoulder width (squared): a piece of the mask this small, this far from its largest, is a stray speck.
STRAY_SPECK = 0.005
STRAY_REACH = 0.05
# px: a piece of the mask apart from its largest, along the skin, with nowhere this thick is an arm's shaded rim.
SLIVER_SIDE = 3
# Shares of the torso (shoulders to hips): a top surely covers the body above TOP_CORE of it, trousers or a
# skirt surely cover it from BOTTOM_CORE below the hip joints.
TOP_CORE = 0.6
BOTTOM_CORE = 0.15
DISTINCT_COLOURS = 25.0  # Lab distance between two garments' median colours above which they are told apart
PATTERN_SCALE = 0.02  # of the longer side: a print's or a pattern's repeat, over which a garment's colour is taken
COLOUR_CLUSTERS = 4  # colours per garment (a print, a pattern, light and shade)
COLOUR_SAMPLE = 4000
MIN_COLOUR_PIXELS = 50
WORN_LEG_WIDTH = 1.1  # of the hip joints' distance: a trouser leg as worn, wide legs included
SHIN_END = 0.1  # of the knee-to-ankle length: how far past the ankle joint a trouser's hem reaches (not the shoe)
COLLAR_RISE = 0.3  # of the shoulder width: how far a collar stands above the shoulder joints
COLLAR_INSET = 0.2  # ... and how far in from them its top corners are
# ... and how far below the shoulders' line a neckline's band (a crew neck's rib, a shirt's lapels round a V)
# reaches, where the head's disc still covers it on a tilted or lowered head
COLLAR_DROP = 0.3
# Of the shoulder width: how far past the worn outline an old collar's part the outline missed still stands inside
# the head's disc (a shirt collar's back standing up beside the neck under the hair, a crew neck's rib), and how far
# below the nose the chin ends (0.2-0.25 on the development photos): above it is the face. Its colours are told from
# the head's (skin, hair, earrings) with lightness counting SHADE_WEIGHT of a colour's: a collar in the hair's shadow
# is darker than the garment's, not of another hue.
COLLAR_REACH = 0.12
CHIN_DROP = 0.25
SHADE_WEIGHT = 0.5
# ... and nearer the garment's than the head's by this much: where the two are alike (black hair over a black top) a
# px's colour tells neither, and hair's tips were taken.
COLLAR_MARGIN = 4.0
COLLAR_RIM_PX = 1  # the collar's anti-aliased edge, repainted with it
# Of the shoulder width: an old neckline's opening (a V) is skin with the old garment on both sides of it in its
# row, nearer together than OPENING_WIDTH (narrower than a neck: a crew neck's skin is the neck's), beside the
# neck's axis within OPENING_REACH, from OPENING_RISE above the shoulders' line (the joints sit below a neck's
# base) to OPENING_DEPTH below it (past where the neck's skin stays in front of a new garment).
OPENING_WIDTH = 0.25
OPENING_REACH = 0.25
OPENING_RISE = 0.15
OPENING_DEPTH = 0.2
# A wider opening (a slip dress's V between its straps, a scoop) is chest from CHEST_TOP below the shoulders'
# line down to CHEST_DEPTH, within CHEST_REACH of the axis, where the old garment stands on both sides of it
# nearer together than CHEST_WIDTH, in one piece with the neck's skin (a hand held to the chest is not): kept
# in front, a crew-neck dress put on a slip dress wore the slip's V.
CHEST_TOP = 0.05
CHEST_DEPTH = 0.6
CHEST_REACH = 0.45
CHEST_WIDTH = 0.9
SLEEVE_BAND = 0.16  # of the shoulder width: the band along an arm's bone where a sleeve is looked for
GARMENT_COLOUR = 12.0  # Lab distance to one of the garment's own colours that makes a sleeve or collar pixel its own
DRESS_SHIN = 0.8  # of the knee-to-ankle length: how far down the shins a long dress is looked for
# A dress's skirt covers the gap between the legs; where the person mask shows the backdrop between them
# (this far below the hip joints, a share of the torso, past any crotch shadow), the legs are bare or in
# tights: not the dress.
LEGS_APART_FROM = 0.3
LEGS_APART_MARGIN = 0.03  # of the torso: the hem sits this far above the first gap
# A wide or loose garment reaches past its category's body region (wide trouser legs, a loose top's sides) and
# GrabCut's smoothing drops its narrow parts (the inner leg): what joins the mask in the garment's own colours,
# this far (of the shoulder width) past the region, up to the person mask's edge, is the garment too.
GROW_REACH = 0.35
MAIN_COLOUR_SHARE = 0.15  # of the garment's pixels: a colour it grows through
SHADE_CHROMA = 4.0  # a*b* distance from a main colour within which a minor colour is its shade, grown through too
MAX_GROWN_PIECE = 0.08  # of the garment's area: the largest piece the outline adds
EDGE_PX = 5  # the grown garment's anti-aliased edge: this wide a square around it (2 px each side)
HALO = 0.01  # of the longer side: the person mask's soft edge, where the backdrop's colour is no garment's
GROW_COLOUR = 18.0  # Lab distance to one of the garment's colours: looser than a sleeve's, the shade at its fold
# A top's outline meets the lower garment below it along a smooth line across the body (a waistband, or its own
# hem). Grown by colour, it took the dark spots of a leopard skirt's print at its top into a black top (notches
# 5 to 10 px deep, 10 to 16 px wide at 512 px, torso 150 px); repainted as the midriff, they bit a wavy edge into
# the skirt below a crop top. Of the torso: the widest and deepest bite below that line that is taken for a
# print's; a forearm over the hips goes deeper, a blouse's hem over a waistband is wider.
NOTCH_WIDTH = 0.13
NOTCH_DEPTH = 0.1
PRINT_SHARE = 0.5  # of a bite's pixels in a column: in the lower garment's colours, the rest its anti-aliased rim


def _line(mask: np.ndarray, a: np.ndarray, b: np.ndarray, thickness: int) -> None:
    cv2.line(mask, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), 1, thickness)


def body_region(pose: Pose, shape: tuple[int, int], category: Category) -> np.ndarray:
    """uint8 {0, 1} mask of where a garment of this category sits on this pose."""
    region = np.zeros(shape, np.uint8)
    frame = body_frame(pose)
    # The pose model places hips below a photo's edge with confidence: where it puts them decides, not whether.
    if category is Category.LOWER and min(frame.left_hip[1], frame.right_hip[1]) >= shape[0]:
        raise InvalidInput(f"the photo must show the hips for a {category} garment; it ends above them",
                           field="person")
    if category is not Category.LOWER:
        outline = top_outline(pose, frame, category)
        cv2.fillPoly(region, [np.round(outline.polygon()).astype(np.int32)], 1)
        if category is Category.DRESS and pose.sees(lm.LEFT_ANKLE, lm.RIGHT_ANKLE) and frame.hips_seen:
            # A midi or maxi dress goes on below the knees: down the shins, short of the shoes. Bare legs are
            # skin, and legs apart below a hem are cut off (`legs_apart`), whatever this region says.
            lk, rk = knees(pose, frame)
            la = lk + DRESS_SHIN * (pose.point(lm.LEFT_ANKLE) - lk)
            ra = rk + DRESS_SHIN * (pose.point(lm.RIGHT_ANKLE) - rk)
            flare = outline.left_hem - (lk + frame.down * float((outline.left_hem - lk) @ frame.down))
            skirt = [outline.left_hem, la + flare, ra - flare, outline.right_hem]
            cv2.fillPoly(region, [np.round(np.array(skirt)).astype(np.int32)], 1)
        sleeve = max(2, round(SLEEVE_WIDTH * frame.shoulder_width))
        for arm in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST),
                    (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST)):
            # Sleeves down to the wrist: a bare arm is skin, which the mask keeps out whatever the region says.
            chain = [pose.point(i) for i in itertools.takewhile(pose.sees, arm)]
            for a, b in itertools.pairwise(chain):
                _line(region, a, b, sleeve)
        return region
    lh, rh = frame.left_hip, frame.right_hip
    lk, rk = knees(pose, frame)  # out of a half-body photo's frame: where they would be
    leg = max(2, round(WORN_LEG_WIDTH * float(np.linalg.norm(lh - rh))))
    for hip, knee, ankle in ((lh, lk, lm.LEFT_ANKLE), (rh, rk, lm.RIGHT_ANKLE)):
        _line(region, hip, knee, leg)
        if pose.sees(ankle) and frame.hips_seen:
            # Square just past the ankle joint, where a full-length hem falls: a round end reached half a leg's
            # width below it, over the shoe and its straps.
            shin = pose.point(ankle) - knee
            end = knee + (1 + SHIN_END) * shin
            side = np.array([-shin[1], shin[0]]) * leg / (2 * max(float(np.linalg.norm(shin)), 1e-6))
            quad = [knee + side, end + side, end - side, knee - side]
            cv2.fillPoly(region, [np.round(np.array(quad)).astype(np.int32)], 1)
    pad = PAD * frame.shoulder_width
    waist = [lh + frame.across * pad - frame.down * pad, rh - frame.across * pad - frame.down * pad, rk, lk]
    cv2.fillPoly(region, [np.round(np.array(waist)).astype(np.int32)], 1)
    return region


def _chroma(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_RGB2YCrCb)[..., 1:].astype(np.float32)


def face_pixels(image: np.ndarray, pose: Pose, person: np.ndarray) -> np.ndarray:
    """bool HxW: the disc around the nose, on the person (the shopper's own skin, whatever its tone)."""
    disc = np.zeros(image.shape[:2], np.uint8)
    if pose.sees(lm.NOSE, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        width = float(np.linalg.norm(pose.point(lm.LEFT_SHOULDER) - pose.point(lm.RIGHT_SHOULDER)))
        cv2.circle(disc, tuple(np.round(pose.point(lm.NOSE)).astype(int)), max(2, round(FACE_RADIUS * width)), 1, -1)
    return (disc > 0) & (person > 0.5)


def _extremities(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: small discs at the wrists and ankles the pose sees."""
    discs = np.zeros(shape, np.uint8)
    if pose.sees(lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        width = float(np.linalg.norm(pose.point(lm.LEFT_SHOULDER) - pose.point(lm.RIGHT_SHOULDER)))
        for joint in (lm.LEFT_WRIST, lm.RIGHT_WRIST, lm.LEFT_ANKLE, lm.RIGHT_ANKLE):
            if pose.sees(joint):
                cv2.circle(discs, tuple(np.round(pose.point(joint)).astype(int)),
                           max(1, round(EXTREMITY_RADIUS * width)), 1, -1)
    return discs


def speckless(skin: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: `skin` opened by a SPECK_SIDE square: its specks (and strips thinner than that) dropped."""
    return cv2.morphologyEx(skin.astype(np.uint8), cv2.MORPH_OPEN, np.ones((SPECK_SIDE, SPECK_SIDE), np.uint8))


def thin_arms(skin: np.ndarray, kept: np.ndarray, person: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: the thin strips of `skin` the opening did not keep (`kept`) that run along an arm's bone (upper arm or
    forearm, within FOREARM_BAND of it) for ARM_STRIP_RUN of its length and join the skin kept: the arm itself, a few px
    wide. Slivers between a garment's side and the arm are shorter (restored, the armpit's few pixels made a camisole's
    outline a tee's), and a speck on the garment joins no skin kept."""
    strips = np.zeros(skin.shape, bool)
    thickness = max(2, round(FOREARM_BAND * body_frame(pose).shoulder_width))
    dropped = (skin > 0) & (kept == 0) & (person > 0.5)
    bones = [bone for joints in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST),
                                 (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
             for bone in itertools.pairwise(joints)]
    for a, b, length in _seen_bones(pose, bones, thickness):
        band, window, along = _bone_band(skin.shape, a, b, b, thickness)
        strips[window] |= _running(dropped[window], band, along, ARM_STRIP_RUN * length)
    return joining(strips, kept) > 0


def _wrists(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: discs of CUFF_REACH round the wrists the pose sees (it puts a wrist inside a long cuff)."""
    discs = np.zeros(shape, np.uint8)
    width = body_frame(pose).shoulder_width
    for joint in (lm.LEFT_WRIST, lm.RIGHT_WRIST):
        if pose.sees(joint):
            cv2.circle(discs, tuple(np.round(pose.point(joint)).astype(int)), max(1, round(CUFF_REACH * width)), 1, -1)
    return discs


def skin_mask(image: np.ndarray, pose: Pose, person: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: pixels whose chroma is the shopper's skin, learnt from their face.

    A fixed skin-chroma box holds pink, peach and beige cloth and, in shade, misses dark skin; the face's
    own chroma (median and robust spread) separates a pink shirt from the fair arm beside it. A hand at the end of
    a forearm too thin for the opening that drops specks is found along the forearm (`_hands`).
    """
    chroma = _chroma(image)
    face = face_pixels(image, pose, person)
    face_skin = _face_skin(chroma, face)
    if face_skin is not None:
        centre, tolerance = face_skin
        distance = _tolerance_distance(chroma, centre, tolerance)
        skin = distance < 1.0
        # Skin lit otherwise than the face (a shoulder's top, an arm in shade) drifts further: up to SKIN_DRIFT
        # tolerances, it is skin where it lies next to skin already found, not across a garment's width.
        # Grown only from the skin that holds the face, a hand or a foot: a tan print's patches in the face's
        # chroma (a leopard skirt) are no skin to grow from.
        seeds = joining(skin.astype(np.uint8), face.astype(np.uint8) | _extremities(pose, image.shape[:2])) > 0
        drifted = (distance < SKIN_DRIFT**2) & (person > 0.5)
        reach = max(1.0, SKIN_DRIFT_REACH * max(image.shape[:2]))
        near = cv2.distanceTransform((~seeds).astype(np.uint8), cv2.DIST_L2, 3) <= reach
        skin = skin | (drifted & near & joining(drifted.astype(np.uint8), seeds.astype(np.uint8)).astype(bool))
        # A thin forearm's lit skin is strips a few px wide, which the opening takes for specks, and its hand with it.
        opened = speckless(skin)
        # The opening drops specks, not the thin strips of skin that join what it keeps: a whole arm beside the body
        # of a full-length photo is 4-6 px wide at the working size; opened away, a white camisole's outline on a white
        # backdrop took the arm for garment and the repaint broke it with patches of paint and pale skin.
        # The hands are looked for past the forearms the opening keeps, not those strips (taken as a kept forearm, they
        # left a hand in a pocket's shade unlooked for).
        hands = _hands(chroma, centre, tolerance, distance, opened, person, pose)
        return np.asarray(opened | thin_arms(skin, opened, person, pose) | hands, np.uint8)
    cr, cb = chroma[..., 0], chroma[..., 1]
    skin = (cr >= SKIN_CR[0]) & (cr <= SKIN_CR[1]) & (cb >= SKIN_CB[0]) & (cb <= SKIN_CB[1])
    return speckless(skin)


def skin_distance(image: np.ndarray, pose: Pose, person: np.ndarray, box: tuple[slice, slice]) -> np.ndarray | None:
    """float32 over `box` (the photo's rows and columns): each pixel's chroma distance, squared, to the face's skin in
    its tolerances (`_face_skin`, as the skin test measures it: below 1 skin, below SKIN_DRIFT squared skin lit
    otherwise); None when the pose sees too little of the face. Worked out in the box and the face's alone."""
    face = face_pixels(image, pose, person)
    around = mask_box(face)
    face_skin = _face_skin(_chroma(image[around]), face[around]) if face.any() else None
    if face_skin is None:
        return None
    centre, tolerance = face_skin
    return np.asarray(_tolerance_distance(_chroma(image[box]), centre, tolerance), np.float32)


def _tolerance_distance(chroma: np.ndarray, centre: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """Each pixel's chroma distance, squared, to the face's skin `centre`, in its `tolerance`s (per channel)."""
    return np.asarray((((chroma - centre) / tolerance) ** 2).sum(axis=-1))


def _face_skin(chroma: np.ndarray, face: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The `face`'s skin (`face_pixels`) in the photo's `chroma` (Cr, Cb): its median and tolerance (SKIN_SPREAD robust
    deviations, at least MIN_SKIN_TOLERANCE); None when the pose sees too little of the face."""
    if face.sum() < MIN_FACE_PIXELS:
        return None
    seen = chroma[face]
    centre = np.median(seen, axis=0)
    spread = 1.4826 * np.median(np.abs(seen - centre), axis=0)
    return centre, np.maximum(SKIN_SPREAD * spread, MIN_SKIN_TOLERANCE)


def _lit_distance(chroma: np.ndarray, centre: np.ndarray, tolerance: np.ndarray) -> np.ndarray:
    """Each pixel's chroma distance (in `tolerance`s) to the face's skin as more or less light dilutes it: the face's
    chroma `centre` mixed with up to LIT_SHARE of grey's. A forearm in the studio's light, a hand in the shade of a
    pocket keep the face's hue but not its saturation (a lit hand: a third of the way to grey)."""
    towards_grey = np.array([128.0, 128.0], np.float32) - centre
    length = float(np.linalg.norm(towards_grey))
    if length < 1e-6:
        return np.asarray(_tolerance_distance(chroma, centre, tolerance) ** 0.5)
    unit = towards_grey / length
    along = np.clip((chroma - centre) @ unit, 0.0, LIT_SHARE * length)
    return np.asarray(((((chroma - centre) - along[..., None] * unit) / tolerance) ** 2).sum(axis=-1) ** 0.5)


def _hands(chroma: np.ndarray, centre: np.ndarray, tolerance: np.ndarray, distance: np.ndarray, kept: np.ndarray,
           person: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: the wrist and hand of each forearm the pose sees that the skin the opening `kept` loses.

    Within FOREARM_BAND of the bone (elbow to wrist, and on past the wrist by HAND_REACH of its length: the hand),
    a piece of skin (within one `tolerance` of the face's chroma `centre`: `distance`, squared, of each pixel's
    `chroma`) that runs along FOREARM_RUN of the elbow-to-wrist length is the forearm: a print's spots in the skin's
    chroma (a leopard skirt's) and the lips are blobs, not a strip down an arm's bone. Where the opening keeps no
    such run (a thin, lit forearm: strips a few px wide), what joins it in the skin's chroma as it drifts in shade
    (SKIN_DRIFT) and, at the hand, as light dilutes it (`_lit_distance`), is skin from WRIST_SHARE above the wrist
    on: the hand in a pocket's shade. Not the forearm's middle: strips 3-4 px wide, which the occluders' rounded
    outline breaks into a blob lying on the new garment. Arms the opening keeps are left as it keeps them.
    """
    found = np.zeros(distance.shape, bool)
    width = body_frame(pose).shoulder_width
    thickness = max(2, round(FOREARM_BAND * width))
    on_person = person > 0.5
    for elbow, wrist, length in _seen_bones(pose, ((lm.LEFT_ELBOW, lm.LEFT_WRIST), (lm.RIGHT_ELBOW, lm.RIGHT_WRIST)),
                                            thickness):
        band, window, along = _bone_band(distance.shape, elbow, wrist, wrist + HAND_REACH * (wrist - elbow), thickness)
        inside = band & on_person[window]
        if _running(kept[window] > 0, inside, along, FOREARM_RUN * length).any():
            continue
        arm = _running(distance[window] < 1.0, inside, along, FOREARM_RUN * length)
        if arm.any():
            # Diluted skin only at the hand: along the forearm, a pink shirt's side beside it is as pale.
            hand = along >= (1 - WRIST_SHARE) * length
            lit = _lit_distance(chroma[window], centre, tolerance) < 1.0
            found[window] |= (joining(((distance[window] < SKIN_DRIFT**2) | (lit & hand)) & inside, arm) > 0) & hand
    return found


def _seen_bones(pose: Pose, bones: Iterable[tuple[int, int]],
                shortest: float) -> Iterator[tuple[np.ndarray, np.ndarray, float]]:
    """(start, end, length) of each bone whose two joints the pose sees and that is at least `shortest` long."""
    for start, end in bones:
        if pose.sees(start, end):
            a, b = pose.point(start), pose.point(end)
            length = float(np.linalg.norm(b - a))
            if length >= shortest:
                yield a, b, length


def _bone_band(shape: tuple[int, ...], start: np.ndarray, end: np.ndarray, reach: np.ndarray,
               thickness: int) -> tuple[np.ndarray, tuple[slice, slice], np.ndarray]:
    """A band `thickness` wide from `start` to `reach` (on the bone from `start` to `end`, or past it), in the
    window round it: (bool band in the window, the window, each window pixel's position along the bone)."""
    band = np.zeros(shape[:2], np.uint8)
    _line(band, start, reach, thickness)
    x, y, w, h = cv2.boundingRect(band)
    window = (slice(y, y + h), slice(x, x + w))
    ys, xs = np.mgrid[y:y + h, x:x + w]
    bone = end - start
    along = ((xs - start[0]) * bone[0] + (ys - start[1]) * bone[1]) / float(np.linalg.norm(bone))
    return band[window] > 0, window, along


def _running(mask: np.ndarray, inside: np.ndarray, along: np.ndarray, run: float) -> np.ndarray:
    """bool: the pieces of `mask` within `inside` that reach `run` or more along a bone (`along`: each pixel's
    position on it), from their nearest pixel to their farthest."""
    count, labels = cv2.connectedComponents((mask & inside).astype(np.uint8), connectivity=8)
    pieces = np.asarray(labels, np.intp)
    near, far = np.full(count, np.inf), np.full(count, -np.inf)
    np.minimum.at(near, pieces[pieces > 0], along[pieces > 0])
    np.maximum.at(far, pieces[pieces > 0], along[pieces > 0])
    running = far - near >= run
    running[0] = False
    return np.asarray(running[pieces])


def head_mask(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: a disc over the head and hair, which must never be repainted."""
    mask = np.zeros(shape, np.uint8)
    if pose.sees(lm.NOSE, lm.LEFT_SHOULDER):
        shoulder_width = float(np.linalg.norm(pose.point(lm.LEFT_SHOULDER) - pose.point(lm.RIGHT_SHOULDER)))
        cv2.circle(mask, tuple(np.round(pose.point(lm.NOSE)).astype(int)), max(2, round(0.5 * shoulder_width)), 1, -1)
    return mask


def refine_with_grabcut(image: np.ndarray, sure: np.ndarray, background: np.ndarray) -> np.ndarray:
    """GrabCut seeded from masks: sure garment, sure not-garment, the rest probably garment.

    Only what is certainly not garment (scene, skin, hair) trains the background colour model, so
    the rest of the same garment outside the pose region (sleeves, hem) cannot teach it the garment's
    own colours. Returns uint8 {0, 1} at full size.
    """
    seeds = np.full(image.shape[:2], cv2.GC_PR_FGD, np.uint8)
    seeds[sure.astype(bool)] = cv2.GC_FGD
    seeds[background.astype(bool)] = cv2.GC_BGD
    # A smooth edge: where the garment meets skin, the classical path's silhouette mode shows this outline.
    found = grabcut(image, seeds, max_side=GRABCUT_MAX_SIDE, smooth_edge=True)
    if found is None:  # nothing to learn a colour model from
        return 1 - background.astype(np.uint8)
    return found.astype(np.uint8)


def _beyond(shape: tuple[int, int], origin: np.ndarray, down: np.ndarray, offset: float) -> np.ndarray:
    """bool HxW: pixels lying more than `offset` px past `origin` along the body's `down` axis."""
    ys, xs = np.mgrid[:shape[0], :shape[1]]
    return np.asarray((xs - origin[0]) * down[0] + (ys - origin[1]) * down[1] > offset)


def _zones(pose: Pose, shape: tuple[int, int], category: Category) -> tuple[np.ndarray, np.ndarray | None]:
    """Where the garment of `category` surely is (within its region), and where the other garment surely is.

    A top surely covers the chest, down to TOP_CORE of the torso; trousers or a skirt surely cover the
    thighs below the hips. Between them (a high waistband, a top's hem, a crop top's bare midriff) the
    colours decide: the same garment and the other one are told apart by what each surely looks like.
    """
    frame = body_frame(pose)
    hips = (frame.left_hip + frame.right_hip) / 2
    chest = ~_beyond(shape, hips, frame.down, -(1 - TOP_CORE) * frame.torso)
    thighs = _beyond(shape, hips, frame.down, BOTTOM_CORE * frame.torso)
    if category is Category.UPPER:
        return chest, thighs
    if category is Category.LOWER:
        return thighs, chest & body_region(pose, shape, Category.UPPER).astype(bool)
    return np.ones(shape, bool), None


def colour_clusters(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pixels' colour clusters: their centres, and the share of the pixels in each."""
    rng = np.random.default_rng(0)
    sample = pixels[rng.choice(len(pixels), min(len(pixels), COLOUR_SAMPLE), replace=False)]
    criteria = (cv2.TERM_CRITERIA_MAX_ITER + cv2.TERM_CRITERIA_EPS, 20, 1.0)
    clusters = min(COLOUR_CLUSTERS, len(sample))
    # k-means++ draws its first centres from OpenCV's generator of the calling thread: the composite's thread,
    # seeded by nothing, gave the worn outline (and the repaint) a different shape from call to call.
    cv2.setRNGSeed(MASK_SEED)
    _, found, centres = cv2.kmeans(sample, clusters, np.zeros((len(sample), 1), np.int32), criteria, 2,
                                   cv2.KMEANS_PP_CENTERS)
    shares = np.bincount(np.asarray(found).ravel(), minlength=len(centres)) / max(len(sample), 1)
    return np.asarray(centres), shares


def _cluster_centres(pixels: np.ndarray) -> np.ndarray:
    return colour_clusters(pixels)[0]


def _nearer_other(lab: np.ndarray, candidates: np.ndarray, own: np.ndarray, other: np.ndarray) -> np.ndarray:
    """bool HxW: of the `candidates`, the pixels whose colour is nearer one of the other garment's colours than
    any of this one's. Colours of the other zone that this garment has too (its own hem hanging into the
    zone) are not the other garment's; but a minor colour of this garment (under MAIN_COLOUR_SHARE of it: a
    logo, its anti-aliased edge) that is one of the other's main colours (over MAIN_COLOUR_SHARE of it) is the
    other's. A white tee's black logo and its grey edge made a fine black, grey and white print's main colours
    the tee's, and the print's neighbourhood colour (its grey) was nearest the logo's edge: trousers tucked
    under the tee went to its mask, and a crop top put on it bared skin down over the trousers' top."""
    (own_centres, own_shares), (other_centres, other_shares) = colour_clusters(own), colour_clusters(other)
    alike = np.sqrt(((own_centres[:, None] - other_centres[None]) ** 2).sum(axis=-1)) <= DISTINCT_COLOURS
    theirs = (own_shares < MAIN_COLOUR_SHARE) & (alike & (other_shares > MAIN_COLOUR_SHARE)).any(axis=1)
    own_centres = own_centres[~theirs]
    apart = np.sqrt(((other_centres[:, None] - own_centres[None]) ** 2).sum(axis=-1)).min(axis=1) > DISTINCT_COLOURS
    nearer = np.zeros(lab.shape[:2], np.uint8)
    if apart.any():
        pixels = lab[candidates]
        to_own = nearest_distance(pixels, own_centres)
        to_other = nearest_distance(pixels, other_centres[apart])
        nearer[candidates] = to_other < to_own
    return np.asarray(cv2.morphologyEx(nearer, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)) > 0)


def sleeves_and_collar(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: narrow bands along the arms' bones, and the collar's band above the shoulders."""
    frame = body_frame(pose)
    band = np.zeros(shape, np.uint8)
    thickness = max(2, round(SLEEVE_BAND * frame.shoulder_width))
    for arm in ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST), (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST)):
        chain = [pose.point(i) for i in itertools.takewhile(pose.sees, arm)]
        for a, b in itertools.pairwise(chain):
            _line(band, a, b, thickness)
    return band | collar_band(pose, shape)


def collar_band(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: where a collar stands round the neck, above the shoulder joints, and the neckline's band
    below them, down to COLLAR_DROP: the head's disc reaches over both (a lowered chin, a tilted head), and a
    neckline's rib or lapels left out of the old garment stayed as a dark strip or pink tips round the new one."""
    frame = body_frame(pose)
    band = np.zeros(shape, np.uint8)
    rise, inset = frame.down * COLLAR_RISE * frame.shoulder_width, frame.across * COLLAR_INSET * frame.shoulder_width
    drop = frame.down * COLLAR_DROP * frame.shoulder_width
    collar = [frame.left_shoulder + drop, frame.left_shoulder, frame.left_shoulder - rise - inset,
              frame.right_shoulder - rise + inset, frame.right_shoulder, frame.right_shoulder + drop]
    cv2.fillPoly(band, [np.round(np.array(collar)).astype(np.int32)], 1)
    return band


def collar_under_head(outline: np.ndarray, head: np.ndarray) -> np.ndarray:
    """bool HxW: the worn garment's `outline` inside the `head` disc (a collar standing round the neck, a neckline
    under a lowered chin) with its anti-aliased edge (EDGE_PX), which `worn_outline` leaves to the head there.

    The outline is solved at GRABCUT_MAX_SIDE: the edge is grown from it with its staircase (a step of the scale's
    px) rounded off, or the neck kept in front above it ends in steps, which cut a new collar's top into a ragged dark
    rim. What the rounding takes (a rib's thin end beside the neck: a dark tip in front of a new collar) is taken as
    it is, with a px of rim.
    """
    collar = (outline > 0) & (head > 0)
    rounded = rounded_outline(outline > 0, max(outline.shape[:2]) / GRABCUT_MAX_SIDE) & (head > 0)
    edge = cv2.dilate(rounded.astype(np.uint8), np.ones((EDGE_PX + 2, EDGE_PX + 2), np.uint8)) > 0
    return np.asarray(edge | (cv2.dilate(collar.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0))


def old_collar(image: np.ndarray, outline: np.ndarray, head: np.ndarray, person: np.ndarray, pose: Pose,
               rim: bool = False) -> np.ndarray:
    """bool HxW: the old garment's collar that its `outline` missed inside the `head` disc, below the chin: in one piece
    with the outline, within COLLAR_REACH of it, on the `person`, within GROW_COLOUR of the outline's own colours near
    the disc and nearer them than the head's (hair, skin, earrings: the disc's pixels above the chin) by COLLAR_MARGIN.

    The head's disc stays in front of a new garment: a shirt collar's points standing up under the hair beside the
    neck, or a crew neck's rib at a tee's neck sides, that the outline (solved at GRABCUT_MAX_SIDE) left out showed
    above the new neckline. Taken with the old garment, the new one (dressed into its silhouette) or the repaint
    covers them. Hair is no collar:
    its colours are the head's, and a strand across the collar parts it from the outline. With `rim`, grown by
    COLLAR_RIM_PX (its anti-aliased edge, a blend with the hair or skin beside it, and the outline's own px there,
    which its smoothed repaint rounds off) for a repaint: left, they outlined the collar's point in pale px; a
    garment dressed into the rim instead takes that px of hair.
    """
    shape = outline.shape[:2]
    around = _around_head(image, outline, head, person, pose)
    if around is None:
        return np.zeros(shape, bool)
    box, lab, worn, disc, on, below_chin, (own, _), reach = around
    # The head's colours above the chin, where no collar reaches (below it, a collar standing past the reach would
    # count as the head's).
    head_colours = disc & on & ~below_chin
    if head_colours.sum() < MIN_COLOUR_PIXELS:
        return np.zeros(shape, bool)
    others = _cluster_centres(lab[head_colours])
    to_worn = cv2.distanceTransform((~worn).astype(np.uint8), cv2.DIST_L2, 3)
    candidates = disc & on & below_chin & ~worn & (to_worn <= reach)
    if not candidates.any():
        return np.zeros(shape, bool)
    pixels = lab[candidates]
    to_own = nearest_distance(pixels, own)
    chosen = np.zeros(worn.shape, bool)
    chosen[candidates] = (to_own <= GROW_COLOUR) & (to_own + COLLAR_MARGIN < nearest_distance(pixels, others))
    _, pieces = cv2.connectedComponents(chosen.astype(np.uint8), connectivity=8)
    touching = np.unique(pieces[chosen & (cv2.dilate(worn.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)])
    found = np.isin(pieces, touching[touching > 0])
    if rim:
        grown = cv2.dilate(found.astype(np.uint8), np.ones((2 * COLLAR_RIM_PX + 1,) * 2, np.uint8)) > 0
        found = grown & disc & on & below_chin
    collar = np.zeros(shape, bool)
    collar[box] = found
    return collar


def _around_head(image: np.ndarray, outline: np.ndarray, head: np.ndarray, person: np.ndarray, pose: Pose
                 ) -> tuple[tuple[slice, slice], np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                            tuple[np.ndarray, np.ndarray], float] | None:
    """What `old_collar` and `hair_over_collar` work on round the `head` disc: the disc's box grown by COLLAR_REACH,
    its Lab (lightness at SHADE_WEIGHT), the worn `outline`, the disc, the `person` and the rows below the chin there,
    the colour centres of the outline's core near the disc with their shares, and the reach in px; None where that
    core is too small to tell or the pose sees no head."""
    worn = outline > 0
    if not worn.any() or not head.any() or not pose.sees(lm.NOSE, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        return None
    frame = body_frame(pose)
    reach = COLLAR_REACH * frame.shoulder_width
    # Worked on the disc's box grown by the reach (the same in a fraction of the time).
    left, top, width, height = cv2.boundingRect((head > 0).astype(np.uint8))
    margin = int(np.ceil(reach)) + 2
    box = np.s_[max(top - margin, 0):top + height + margin, max(left - margin, 0):left + width + margin]
    worn, disc, on = worn[box], head[box] > 0, person[box] > 0.5
    lab = cv2.cvtColor(image[box], cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 0] *= SHADE_WEIGHT
    grid_y, grid_x = np.mgrid[box]
    nose = pose.point(lm.NOSE)
    down = (grid_x - nose[0]) * frame.down[0] + (grid_y - nose[1]) * frame.down[1]
    below_chin = down > CHIN_DROP * frame.shoulder_width
    # The outline's own colours near the head, past its anti-aliased edge.
    core = cv2.erode(worn.astype(np.uint8), np.ones((EDGE_PX, EDGE_PX), np.uint8)) > 0
    own = core & (cv2.distanceTransform((~disc).astype(np.uint8), cv2.DIST_L2, 3) <= reach)
    if own.sum() < MIN_COLOUR_PIXELS:
        return None
    return box, lab, worn, disc, on, below_chin, colour_clusters(lab[own]), reach


def hair_over_collar(image: np.ndarray, outline: np.ndarray, head: np.ndarray, person: np.ndarray, pose: Pose,
                     skin: np.ndarray) -> np.ndarray:
    """bool HxW: hair falling past the head's disc onto the old collar and shoulders, round the disc within
    COLLAR_REACH: on the `person`, not `skin`, within GROW_COLOUR of the hair's colours (the disc's pixels above the
    chin that are not skin, less those within GROW_COLOUR of the skin's colours) and nearer them than the old
    garment's (`old_collar`'s colours) by COLLAR_MARGIN, in one piece with such pixels inside the disc above the
    chin (the hair itself), the `outline`'s own pixels included (GrabCut's edge takes hair), with their rim.

    The old garment's repaint filled what it took of the hair from the backdrop: a pale bar where a rib collar
    met long black hair (07966). Where hair and garment are alike (black hair, a black top) nothing is hair; nor
    where the disc shows too little hair above the chin to tell its colours (short hair: a shaded neck is no hair).
    """
    shape = outline.shape[:2]
    around = _around_head(image, outline, head, person, pose)
    if around is None:
        return np.zeros(shape, bool)
    box, lab, _, disc, on, below_chin, (own, shares), _ = around
    candidates = on & ~(skin[box] > 0)
    head_hair = disc & candidates & ~below_chin
    if head_hair.sum() < MIN_COLOUR_PIXELS:
        return np.zeros(shape, bool)
    # Not the skin's shade (a face's or neck's shadow, lips the skin mask left out): a short-haired shopper's disc
    # shows those above the chin, and the dark blend along an old black collar on dark skin was taken for hair.
    hair_colours = _cluster_centres(lab[head_hair])
    bare = on & (skin[box] > 0)
    if bare.sum() >= MIN_COLOUR_PIXELS:
        hair_colours = hair_colours[nearest_distance(hair_colours, _cluster_centres(lab[bare])) > GROW_COLOUR]
    if not len(hair_colours):
        return np.zeros(shape, bool)
    # The hair GrabCut's edge took into the outline is among its colours: a minor one (MAIN_COLOUR_SHARE) that is
    # the hair's too is left out of the garment's (a black top's black, however alike the hair, stays).
    taken = (shares < MAIN_COLOUR_SHARE) & (nearest_distance(own, hair_colours) < COLLAR_MARGIN)
    pixels = lab[candidates]
    to_hair = nearest_distance(pixels, hair_colours)
    hairy = np.zeros(candidates.shape, bool)
    hairy[candidates] = (to_hair <= GROW_COLOUR) & (to_hair + COLLAR_MARGIN < nearest_distance(pixels, own[~taken]))
    _, pieces = cv2.connectedComponents(hairy.astype(np.uint8), connectivity=8)
    seeds = np.unique(pieces[hairy & head_hair])
    # With its anti-aliased rim (COLLAR_RIM_PX), a blend with the collar: filled from the backdrop, it left pale px
    # where the hair met a rib.
    found = cv2.dilate(np.isin(pieces, seeds[seeds > 0]).astype(np.uint8),
                       np.ones((2 * COLLAR_RIM_PX + 1,) * 2, np.uint8)) > 0
    hair = np.zeros(shape, bool)
    hair[box] = found & candidates
    return hair


def neckline_opening(outline: np.ndarray, skin: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: the skin of the old garment's neckline opening (a V) round the shoulders' line: `skin` beside the
    neck's axis with the old garment on both sides of it in its row, nearer than a neck is wide (OPENING_WIDTH).

    The neck's skin stays in front of a new garment down to a crew neckline's depth; the old V's skin there is
    chest, which a new garment's higher neckline covers (kept in front, it cut a notch into it).
    """
    frame = body_frame(pose)
    width = frame.shoulder_width
    # Along each row, the old garment's nearest pixel to the left and to the right: the gap between is the opening.
    columns = np.broadcast_to(np.arange(outline.shape[1]), outline.shape)
    garment = outline > 0
    left = np.maximum.accumulate(np.where(garment, columns, -outline.shape[1]), axis=1)
    right = np.minimum.accumulate(np.where(garment, columns, 2 * outline.shape[1])[:, ::-1], axis=1)[:, ::-1]
    narrow = (right - left) < OPENING_WIDTH * width
    ys, xs = np.mgrid[:outline.shape[0], :outline.shape[1]]
    centre = (frame.left_shoulder + frame.right_shoulder) / 2
    down = ((xs - centre[0]) * frame.down[0] + (ys - centre[1]) * frame.down[1]) / width
    across = np.abs((xs - centre[0]) * frame.across[0] + (ys - centre[1]) * frame.across[1]) / width
    near_neck = (down > -OPENING_RISE) & (down < OPENING_DEPTH) & (across < OPENING_REACH)
    # The wide opening: skin between the old garment's sides, in one piece with the neck's at the shoulders' line.
    wide = (skin > 0) & ((right - left) < CHEST_WIDTH * width) & (down > -OPENING_RISE) & (down < CHEST_DEPTH) \
        & (across < CHEST_REACH)
    count, pieces = cv2.connectedComponents(wide.astype(np.uint8), connectivity=4)
    neck = wide & (down < CHEST_TOP) & (across < OPENING_WIDTH / 2)
    with_neck = np.zeros(count, bool)
    with_neck[np.unique(pieces[neck])] = True
    with_neck[0] = False
    chest = with_neck[pieces] & (down > CHEST_TOP)
    return np.asarray((skin > 0) & ((narrow & near_neck) | chest))


def garment_coloured(image: np.ndarray, band: np.ndarray, core: np.ndarray, person: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: pixels of `band`, well inside the person, in the colours of the garment's sure core that
    the backdrop does not share.

    Sleeves and a collar, narrow at GrabCut's scale, between a hand or a neck (sure skin) and the backdrop,
    are dropped by its smoothing: a sheer sleeve's cuff stayed on the arm, a shirt's collar round the
    neck. Their own colour finds them, where taking the whole band as probable garment would also take
    skin the face's colour does not cover (a shaded neckline on dark skin). A colour the backdrop has (a
    white tee on a pale studio wall) would draw the arm's outline instead, and is not used.
    """
    inside = np.asarray(cv2.erode((person > 0.5).astype(np.uint8), np.ones((5, 5), np.uint8)), np.uint8)
    band = band & inside
    if not band.any() or core.sum() < MIN_COLOUR_PIXELS:
        return band * 0
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    centres = _cluster_centres(lab[core > 0])
    if (inside == 0).sum() > MIN_COLOUR_PIXELS:
        backdrop = np.median(lab[inside == 0], axis=0)
        centres = centres[np.linalg.norm(centres - backdrop, axis=1) > 2 * GARMENT_COLOUR]
    if len(centres) == 0:
        return band * 0
    pixels = lab[band > 0]
    distance = nearest_distance(pixels, centres)
    found = np.zeros_like(band)
    found[band > 0] = distance < GARMENT_COLOUR
    # Specks of a matching colour (a shadow's edge, a strap) are not a sleeve or a collar.
    return np.asarray(cv2.morphologyEx(found, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), np.uint8)


def _neighbourhood_colour(lab: np.ndarray) -> np.ndarray:
    """`lab` averaged over a print's repeat (PATTERN_SCALE of the longer side) round each pixel."""
    side = max(3, round(PATTERN_SCALE * max(lab.shape[:2])) | 1)
    return np.asarray(cv2.blur(lab, (side, side)))


def _top_above_hips(lab: np.ndarray, candidates: np.ndarray, core: np.ndarray, top: np.ndarray,
                    frame: BodyFrame) -> np.ndarray:
    """bool HxW: of the `candidates` above the hip joints, those that are the top's, not the trousers'.

    Above the hips a waistband meets a top's hem. Where the two garments' colours differ, a pixel belongs to
    the one whose colours its neighbourhood has (pixel by pixel, a print's pale colours grew into a white
    tee's hem); where they do not, none above the hips is the trousers' (cut at the hips, the old waistband
    stayed above new trousers, so the cut is the fallback only).
    """
    shape = lab.shape[:2]
    above = candidates & ~_beyond(shape, (frame.left_hip + frame.right_hip) / 2, frame.down, 0.0)
    if not above.any() or top.sum() < MIN_COLOUR_PIXELS:
        return above
    local = _neighbourhood_colour(lab)
    own, other = np.median(local[core > 0], axis=0), np.median(local[top], axis=0)
    if np.linalg.norm(own - other) <= DISTINCT_COLOURS:
        return above
    pixels = local[above]
    nearer_top = np.zeros(shape, bool)
    nearer_top[above] = np.linalg.norm(pixels - other, axis=1) < np.linalg.norm(pixels - own, axis=1)
    return nearer_top


def worn_outline(image: np.ndarray, worn: np.ndarray, person: np.ndarray, pose: Pose,
                 category: Category, held: np.ndarray | None = None, skin: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1}: the worn garment (`worn_garment_mask`) grown to its own outline: the person's pixels in
    its colours that join it, up to GROW_REACH past its category's body region, never into what the hands hold in
    front of it (`held`: `held_in_front`'s) nor into the shopper's skin (`skin_mask`'s); each worked out when not
    given.

    Wide trouser legs and a loose top's sides reach past the region, and GrabCut's smoothing drops narrow
    parts (the inner leg): left, they showed as strips of the old garment beside the new one. Skin, the
    head and the other garment's sure zone are never taken; nor are colours the backdrop has (a pale
    garment would grow along the person mask's halo).
    """
    grown = worn.astype(np.uint8)
    core = cv2.erode(grown, np.ones((3, 3), np.uint8))
    if core.sum() < MIN_COLOUR_PIXELS:
        return grown
    shape = image.shape[:2]
    frame = body_frame(pose)
    # Within GROW_REACH of the region: a distance transform, linear in pixels (a dilation by a disc this wide
    # cost 0.4 s at 1024 px).
    beyond_region = cv2.distanceTransform(1 - body_region(pose, shape, category), cv2.DIST_L2, 5)
    near = beyond_region <= max(1.0, GROW_REACH * frame.shoulder_width)
    if skin is None:
        skin = skin_mask(image, pose, person)
    head = head_mask(pose, shape)
    if held is None:
        held = held_in_front(image, worn, person, pose, skin)
    keep_out = skin | head | held
    candidates = near & (person > 0.5) & (keep_out == 0)
    own_zone, other_zone = _zones(pose, shape, category)
    arms = np.zeros(shape, bool)
    if other_zone is not None and category is Category.UPPER:
        arms = (sleeves_and_collar(pose, shape) | _wrists(pose, shape)) > 0
        # The lower garment's zone is everything below the hips, but an arm hanging beside the thighs is no
        # leg: a long sleeve's cuff there, down to the wrist, is the top's (left out, it showed below a new sleeve).
        other_zone = other_zone & ~arms
    if other_zone is not None:  # never into the other garment's sure zone (black trousers under a black top)
        candidates &= ~other_zone
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    if category is Category.LOWER and other_zone is not None:
        candidates &= ~_top_above_hips(lab, candidates, core, other_zone & (person > 0.5) & (keep_out == 0), frame)
    centres, shares = colour_clusters(lab[core > 0])
    # A garment's own colours, not what its mask caught of something else (a dark helmet's edge on an orange
    # suit), through which it would grow into that thing.
    main = shares >= MAIN_COLOUR_SHARE
    # A minor colour of a main one's chroma, lighter or darker, is its shade (the light on black trousers' pocket,
    # where k-means split the black three ways), grown through more strictly: blond hair beside a pink shirt is
    # near a darker pink's.
    shade = ~main & (np.linalg.norm(centres[:, None, 1:] - centres[main][None, :, 1:], axis=-1).min(
        axis=1, initial=np.inf) < SHADE_CHROMA)
    centres, shades = centres[main], centres[shade]
    outside = person <= 0.5
    pale, backdrop = centres[:0], centres[:0]
    if outside.sum() > MIN_COLOUR_PIXELS:
        wall = np.median(lab[outside], axis=0)
        like_backdrop = np.linalg.norm(centres - wall, axis=1) <= 2 * GARMENT_COLOUR
        centres, pale = centres[~like_backdrop], centres[like_backdrop]
        shades = shades[np.linalg.norm(shades - wall, axis=1) > 2 * GARMENT_COLOUR]
        if len(pale):  # the wall's colours, from every third pixel each way: a k-means sample is a few thousand
            backdrop = _cluster_centres(lab[::3, ::3][outside[::3, ::3]])
    # A garment in the backdrop's colours (a white tee on a pale wall) grows in them only within its region,
    # HALO inside the person mask (whose soft edge has the backdrop's colour) and where they are nearer its own
    # colours than the backdrop's (the wall seen between an arm and the body): a white sleeve's hem corner was left.
    inner = np.zeros(shape, bool)
    if len(pale):
        halo = max(1.0, HALO * max(shape))
        inner = (body_region(pose, shape, category) > 0) & (
            cv2.distanceTransform((person > 0.5).astype(np.uint8), cv2.DIST_L2, 3) > halo)
    # The neckline's rib or collar under the head's disc is the garment's too, in its main colours, unless the
    # hair has them (a black tee under black hair): left, its ends stood as dark tips beside a lower new neckline.
    collar = collar_band(pose, shape) & head & near & (person > 0.5) & (skin == 0)
    if category is not Category.LOWER and collar.any() and not _hair_like(lab, head & (skin == 0) & (person > 0.5),
                                                                          centres, pose):
        candidates = candidates | (collar > 0)
    else:
        collar = np.zeros_like(collar)
    matching = np.zeros_like(grown)
    for colours, allowed, rivals, tolerance in ((centres, candidates, None, GROW_COLOUR),
                                                (shades, candidates, None, GARMENT_COLOUR),
                                                (pale, candidates & inner, backdrop, GROW_COLOUR)):
        if len(colours) and allowed.any():
            pixels = lab[allowed]
            distance = nearest_distance(pixels, colours)
            own = distance < tolerance
            if rivals is not None:
                own &= distance < nearest_distance(pixels, rivals)
            matching[allowed] |= own.astype(np.uint8)
    if not matching.any():
        return grown
    # Not the rib's thin ends beside the neck, which the opening below (against the garment's colours' specks) drops:
    # left, they stood as dark tips at the sides of a new collar.
    rib = matching & collar.astype(np.uint8)
    matching = np.asarray(cv2.morphologyEx(matching, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), np.uint8) | rib
    if category is Category.DRESS:
        below_hem = legs_apart(person, pose)
        if below_hem is not None:
            matching &= ~below_hem
    # Strips beside the garment and the parts GrabCut dropped are narrow; a large piece in its colours that
    # touches it is something else in front of or beside it (a black helmet held against an orange suit).
    added = matching & (1 - grown)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(added, connectivity=8)
    small = np.zeros(count, bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] <= MAX_GROWN_PIECE * grown.sum()
    grown |= joining(small[labels].astype(np.uint8), grown)
    # The garment's anti-aliased edge lies just outside the person mask: left, it drew a dark line round the
    # new garment or the repainted background.
    edge = (cv2.dilate(grown, np.ones((EDGE_PX, EDGE_PX), np.uint8)) > 0) & (keep_out == 0) & near
    if other_zone is not None:
        edge &= ~other_zone
    outline = np.asarray(grown | edge, np.uint8)
    if category is Category.UPPER and other_zone is not None:  # on the body: a cuff's edge over a hand is no waistband
        lower = (person > 0.5) & (keep_out == 0) & (outline == 0)
        bites = _print_notches(outline, lower, ~own_zone & ~arms, frame.torso)
        seen = lower & other_zone
        if bites.any() and seen.sum() >= MIN_COLOUR_PIXELS:
            outline[_in_its_print(lab, bites, seen)] = 0
    return outline


def _in_its_print(lab: np.ndarray, bites: np.ndarray, lower: np.ndarray) -> np.ndarray:
    """bool HxW: the columns of `bites` (`_print_notches`) mostly (PRINT_SHARE) in one of the main colours
    (MAIN_COLOUR_SHARE, within GROW_COLOUR) of the lower garment where it surely is (`lower`, in `lab`): its print.
    A bite in colours it has not is the top's own hem hanging lower there (a white camisole's over black
    trousers: cut, it stood as a white speck on their waistband)."""
    centres, shares = colour_clusters(lab[lower])
    own = np.zeros(bites.shape, bool)
    own[bites] = nearest_distance(lab[bites], centres[shares >= MAIN_COLOUR_SHARE]) < GROW_COLOUR
    columns = own.sum(axis=0) >= PRINT_SHARE * np.maximum(bites.sum(axis=0), 1)
    return np.asarray(bites & columns[None])


def _print_notches(outline: np.ndarray, lower: np.ndarray, waist: np.ndarray, torso: float) -> np.ndarray:
    """bool HxW: the bites a top's `outline` takes into the `lower` garment below it (on the person, neither skin,
    held nor the top), at most NOTCH_WIDTH wide and NOTCH_DEPTH deep (of the `torso`), where it meets it in the
    `waist` (below the chest, off the arms): a print's spots in the top's colours, which are the lower garment's.

    Per column, the outline's last row before the lower garment (where it meets none: its lowest row) is a
    profile whose narrow downward peaks are the bites: a grey opening (a minimum, then a maximum, over a window
    NOTCH_WIDTH wide) takes each back up to the line beside it; slopes (a top's side running down an arm) and
    a wider curve of a hem keep their rows. Columns with no outline bound no bite.
    """
    height = outline.shape[0]
    meets = np.zeros(outline.shape, bool)
    meets[:-1] = (outline[:-1] > 0) & lower[1:] & waist[:-1]
    met = meets.any(axis=0)
    bites = np.zeros(outline.shape, bool)
    if not met.any():
        return bites
    has = (outline > 0).any(axis=0)
    lowest = height - 1 - np.argmax(outline[::-1] > 0, axis=0)
    profile = np.where(met, np.argmax(meets, axis=0), lowest).astype(np.float32)
    side = np.ones((1, max(3, round(NOTCH_WIDTH * torso) | 1)), np.uint8)
    # A column with no outline is no bound: the minimum passes over it (the maximum's border passes over the frame's).
    floor = cv2.erode(np.where(has, profile, np.float32(2 * height))[None], side, borderValue=2.0 * height)
    line = cv2.dilate(floor, side, borderValue=-1.0)[0]
    depth = profile - line
    columns = met & (depth > 0) & (depth <= NOTCH_DEPTH * torso)
    rows = np.arange(height)[:, None]
    bites = (rows > line[None]) & (rows <= profile[None]) & columns[None] & (outline > 0)
    return np.asarray(bites)


def held_in_front(image: np.ndarray, worn: np.ndarray, person: np.ndarray, pose: Pose,
                  skin: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1}: what the shopper's hands hold in front of their `worn` garment (a bag held at the hip, a phone):
    the person's pixels within the hands' reach (`hands_reach`) that are neither skin (`skin_mask`, when not given),
    the head, the worn garment nor in its colours, in one piece with a hand (skin round a wrist the pose sees),
    lying over the garment: with it above and below.

    Neither garment, it stays in front of the new one and is never repainted: the old garment's outline grown
    into it, and its rim, cut the end off a bag held over the old trousers. The other garment is told apart by
    where it is (above this garment's top or below its hem), not by its colours: a cream bag is a white top's shade.
    """
    shape = image.shape[:2]
    reach = hands_reach(pose, shape)
    garment = cv2.erode(worn.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    sample = garment[::3, ::3]  # the garment's colours from every third pixel each way: k-means samples a few thousand
    if not reach.any() or sample.sum() < MIN_COLOUR_PIXELS:
        return np.zeros(shape, np.uint8)
    skin = skin_mask(image, pose, person) if skin is None else skin
    candidates = reach & (person > 0.5) & (skin == 0) & (worn == 0) & (head_mask(pose, shape) == 0)
    if not candidates.any():
        return np.zeros(shape, np.uint8)
    centres = _cluster_centres(lab_pixels(image[::3, ::3], sample))
    unlike = np.zeros(shape, np.uint8)
    unlike[candidates] = nearest_distance(lab_pixels(image, candidates), centres) > GROW_COLOUR
    chroma = _chroma(image)
    face_skin = _face_skin(chroma, face_pixels(image, pose, person))
    if face_skin is not None:  # nor skin the skin test left out (a thin forearm's lit strips): it holds nothing
        unlike[candidates] &= _lit_distance(chroma[candidates], *face_skin) >= SKIN_DRIFT
    # Not the thin blends where the garment meets a hand or the backdrop, nor a thin forearm's strips the skin test
    # missed (cut out of the new garment, they left a notch and a speck of the old one); the opening's bite out of
    # the held thing's edge is given back.
    square = np.ones((EDGE_PX, EDGE_PX), np.uint8)
    # Held by the hand: skin round a wrist, with the blend of the two along its edge.
    hand = cv2.dilate(((skin > 0) & (_wrists(pose, shape) > 0)).astype(np.uint8), square)
    held = joining(cv2.morphologyEx(unlike, cv2.MORPH_OPEN, square), hand)
    held = ((cv2.dilate(held, square) > 0) & (unlike > 0)).astype(np.uint8)
    # With the lines drawn on it in the garment's colours (a dark seam on a pale bag), through which the new garment
    # would show.
    held = (cv2.morphologyEx(held, cv2.MORPH_CLOSE, square) > 0) & _over(worn, pose) & (person > 0.5) & (skin == 0)
    # Its edge against the garment blends the two: what is no longer its own colour (within twice GROW_COLOUR of its
    # median) there is the garment's anti-aliased edge (left out of the outline, it stood as a dark line between the
    # bag and the new garment).
    edge = held & (cv2.dilate((~held & (person > 0.5)).astype(np.uint8), square) > 0)
    if (held & ~edge).any():
        pixels = lab_pixels(image, edge)
        distance = np.linalg.norm(pixels - np.median(lab_pixels(image, held & ~edge), axis=0), axis=1)
        held[edge] = (distance <= 2 * GROW_COLOUR) & (distance < nearest_distance(pixels, centres))
    return held.astype(np.uint8)


def _over(worn: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: pixels with the `worn` garment above and below them: in front of it, not beside it (the other
    garment's hem above trousers, trousers below a top's hem).

    The garment's mask stops short of a bag's edge, and may lose the band above it: its top is looked for
    HELD_WIDTH either side. Its hem in the pixel's own column: a top's hem curves down at its sides, beside trousers.
    """
    side = max(1, round(HELD_WIDTH * body_frame(pose).shoulder_width))
    spread = cv2.dilate(worn.astype(np.uint8), np.ones((1, 2 * side + 1), np.uint8)) > 0
    rows = np.arange(worn.shape[0])[:, None]
    below_top = rows > np.where(spread.any(axis=0), np.argmax(spread, axis=0), worn.shape[0])
    inside = worn > 0
    above_hem = rows < np.where(inside.any(axis=0), worn.shape[0] - 1 - np.argmax(inside[::-1], axis=0), -1)
    return np.asarray(below_top & above_hem)


def lab_pixels(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """[n, 3] float32: the Lab colours of `image`'s pixels in `mask` (converted alone: the whole photo costs more)."""
    return np.asarray(cv2.cvtColor(image[mask][:, None], cv2.COLOR_RGB2LAB)[:, 0], np.float32)


def straps(image: np.ndarray, garment: np.ndarray, skin: np.ndarray, person: np.ndarray, pose: Pose,
           head: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: a top's straps, with their anti-aliased rim: lines across the bare `skin`, at most STRAP_WIDTH
    of the shoulder width wide and STRAP_CONTRAST darker than the skin either side, at least STRAP_LENGTH times that
    width long, rising from the `garment`'s top edge (its outline, `worn_outline`), outside the `head`'s disc
    (`head_mask`). Too thin for the worn mask, and in skin's chroma where their anti-aliased px blend into it, a
    camisole's black strap stayed on the shoulder beside a new tee's neckline."""
    width = max(2, round(STRAP_WIDTH * body_frame(pose).shoulder_width))
    luma = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    # What a closing across the strap's width lifts: a dark line no wider than it.
    closed = cv2.morphologyEx(luma, cv2.MORPH_CLOSE, np.ones((1, width + 2), np.uint8))
    bridged = cv2.morphologyEx(skin.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((1, width + 2), np.uint8)) > 0
    dark = (closed.astype(np.float32) - luma) > STRAP_CONTRAST * closed.astype(np.float32)
    # Not under the head's disc: a lock of hair over the neck is as thin and dark.
    line = dark & bridged & (person > 0.5) & (garment == 0) & (head == 0)
    # The lines joined to the garment, long enough.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(joining(line, garment), connectivity=8)
    if count < 2:
        return np.zeros_like(garment, np.uint8)
    strap = np.zeros(count, bool)
    strap[1:] = stats[1:, cv2.CC_STAT_HEIGHT] >= STRAP_LENGTH * width
    # Rising from the garment's top edge over the shoulder: a crease down an arm's side beside a sleeveless top, also
    # dark, thin and joined to it, starts below the garment's top there.
    tops = np.where(garment.any(axis=0), np.argmax(garment > 0, axis=0), garment.shape[0])
    for index in np.flatnonzero(strap):
        left, top = stats[index, cv2.CC_STAT_LEFT], stats[index, cv2.CC_STAT_TOP]
        reach = STRAP_LENGTH * width  # the garment's top beside it too: a crease may run down past its side
        beneath = tops[max(left - reach, 0):left + stats[index, cv2.CC_STAT_WIDTH] + reach]
        strap[index] = top < int(beneath.min()) - width
    # With its anti-aliased rim: a line of a px or two does not outlast the outline's smoothing.
    found = strap[np.asarray(labels, np.intp)].astype(np.uint8)
    grown = cv2.dilate(found, np.ones((STRAP_RIM, STRAP_RIM), np.uint8)) > 0
    return np.asarray(grown & (person > 0.5), np.uint8)


def _hair_like(lab: np.ndarray, hair_zone: np.ndarray, colours: np.ndarray, pose: Pose) -> bool:
    """Whether one of `colours` (Lab) is near the hair's: the head disc's non-skin pixels above the nose."""
    if not len(colours):
        return True
    above = np.zeros(hair_zone.shape, bool)
    above[:max(0, round(float(pose.point(lm.NOSE)[1])))] = True
    hair = lab[hair_zone.astype(bool) & above]
    if len(hair) < MIN_COLOUR_PIXELS:
        return True  # no hair seen to tell it from: nothing is taken under the head
    return bool(nearest_distance(_cluster_centres(hair), colours).min() < 2 * GARMENT_COLOUR)


def legs_apart(person: np.ndarray, pose: Pose) -> np.ndarray | None:
    """bool HxW: below the hem of a dress or skirt, where the person mask first shows the backdrop on the
    midline between the legs (a skirt's fabric would cover it); None when the legs never part or the
    pose cannot see them."""
    if not pose.sees(lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_KNEE, lm.RIGHT_KNEE):
        return None
    frame = body_frame(pose)
    midline = [(frame.left_hip + frame.right_hip) / 2, (pose.point(lm.LEFT_KNEE) + pose.point(lm.RIGHT_KNEE)) / 2]
    if pose.sees(lm.LEFT_ANKLE, lm.RIGHT_ANKLE):
        midline.append((pose.point(lm.LEFT_ANKLE) + pose.point(lm.RIGHT_ANKLE)) / 2)
    height, width = person.shape[:2]
    start = LEGS_APART_FROM * frame.torso
    travelled = 0.0
    for a, b in itertools.pairwise(midline):
        length = float(np.linalg.norm(b - a))
        for step in np.arange(max(0.0, start - travelled), length, 1.0):
            x, y = np.round(a + (b - a) * step / max(length, 1e-6)).astype(int)
            if not (0 <= x < width and 0 <= y < height):
                return None
            if person[y, x] <= 0.5:
                hem = np.array([x, y], np.float64)
                return _beyond((height, width), hem, frame.down, -LEGS_APART_MARGIN * frame.torso)
        travelled += length
    return None


class WornGarment(NamedTuple):
    """The garment of a category the shopper wears (`worn_garment`)."""

    mask: np.ndarray  # uint8 {0, 1}: `worn_garment_mask`
    # bool HxW: the skin `skin_mask` missed that the garment's colours told from it (`foreign_parts`: a chest in
    # highlight beside a dress's strap). The skin mask there is scattered blocks: a repaint that goes on from the
    # visible skin reads this too.
    skin: np.ndarray


def worn_garment_mask(image: np.ndarray, person: np.ndarray, pose: Pose, category: Category,
                      skin: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1} mask of the garment of this category the shopper wears: never skin (`skin_mask`'s, worked out
    when not given), hair or background, nor the shopper's other garment where its colours differ (a top's hem over
    jeans, a skirt's waistband)."""
    return worn_garment(image, person, pose, category, skin).mask


def worn_garment(image: np.ndarray, person: np.ndarray, pose: Pose, category: Category,
                 skin: np.ndarray | None = None) -> WornGarment:
    """The garment of this category the shopper wears (`worn_garment_mask`) and the skin its colours found that
    `skin` (`skin_mask`'s, worked out when not given) missed."""
    # GrabCut starts from OpenCV's random generator (per thread): seeded, the same photo gives the same mask,
    # and the classical path the same choice of dressing, call after call.
    cv2.setRNGSeed(MASK_SEED)
    shape = image.shape[:2]
    person_bin = (person > 0.5).astype(np.uint8)
    region = body_region(pose, shape, category) & person_bin
    skin = skin_mask(image, pose, person) if skin is None else skin
    head = head_mask(pose, shape)
    keep_out = skin | head
    side = max(3, round(0.03 * max(shape)) | 1)
    own_zone, other_zone = _zones(pose, shape, category)
    core = cv2.erode(region, np.ones((side, side), np.uint8)) & (1 - keep_out) & own_zone
    if not core.any():  # where the garment would surely be is out of the frame or bare
        raise InvalidInput(f"no {category} garment found on the person; the photo does not show where it is worn",
                           field="person")
    background = (1 - person_bin) | keep_out
    other_garment = np.zeros(shape, bool)
    if other_zone is not None:
        other = other_zone & (person_bin > 0) & (keep_out == 0) & (region == 0)
        lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
        if other.sum() > MIN_COLOUR_PIXELS and core.sum() > MIN_COLOUR_PIXELS and np.linalg.norm(
                np.median(lab[core > 0], axis=0) - np.median(lab[other], axis=0)) > DISTINCT_COLOURS:
            background = background | other
            # Each pixel goes by the colour of its neighbourhood against each garment's own colours: a leopard
            # skirt's dark spots are the colour of a black top, and pixel by pixel its upper part went to the top.
            other_garment = _nearer_other(_neighbourhood_colour(lab), (region > 0) & (core == 0), lab[core > 0],
                                          lab[other])
    refined = refine_with_grabcut(image, sure=core, background=background)
    mask = refined & region & (1 - keep_out) & ~other_garment
    allowed = region
    if category is not Category.LOWER:
        bands = sleeves_and_collar(pose, shape)
        allowed = region | (bands & person_bin)
        in_colours = garment_coloured(image, bands, core, person) & ~other_garment
        coloured = in_colours & (1 - skin)
        # The head's disc reaches down over a collar standing round the neck: there its colours decide, where
        # they join the garment's body (a collar left out stayed above a lower neckline that bared the chest
        # under it; a shadow on the neck in a dark garment's colour is no collar), over the skin's chroma too:
        # a pink collar round a fair neck is within it, and its tips stood round a new neckline. Not for a garment
        # in the face's own colours (a nude top), whose colours the neck has too.
        # Joined to the mask with its sleeves and collar below the disc: GrabCut's smoothing drops a collar.
        mask = mask | (coloured & (1 - head))
        collar = in_colours if _unlike_face(image, core, pose, person) else coloured
        mask = mask | joining(collar & head & collar_band(pose, shape), mask)
    # Close pinholes left by specular highlights that the skin test or GrabCut dropped.
    closed = np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8)), dtype=np.uint8)
    mask = closed & allowed
    if category is Category.DRESS:
        below_hem = legs_apart(person, pose)
        if below_hem is not None:
            mask = mask & ~below_hem
    # Skin the face's chroma missed and things in the backdrop's colours (a bag, shoes), and what they cut off.
    sure_colours = core & colour_zone(pose, shape, category) & mask
    foreign = foreign_parts(image, mask, sure_colours, skin, person, held=hands_reach(pose, shape))
    mask = mask & ~foreign.parts
    mask = mask & ~cut_off(mask, sure_colours, foreign.parts)
    mask = _without_slivers(_without_strays(mask, body_frame(pose).shoulder_width), skin)
    if mask.sum() < MIN_GARMENT_SHARE * mask.size:
        raise InvalidInput(f"no {category} garment found on the person; check the garment category and that "
                           "the person faces the camera", field="person")
    return WornGarment(mask, foreign.skin & (skin == 0))


def _without_strays(mask: np.ndarray, shoulder_width: float) -> np.ndarray:
    """uint8 {0, 1}: `mask` less its specks (pieces under STRAY_SPECK of the shoulder width squared) lying further
    than STRAY_REACH from its largest piece. They are something else in the garment's colours: the grey
    anti-aliased edge of black trousers against the backdrop, beside a grey tee; repainted with the backdrop and
    its rim, each left a bite in the shopper's hips."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    specks = np.flatnonzero(areas < STRAY_SPECK * shoulder_width ** 2) + 1
    if not len(specks):
        return mask
    largest = labels == int(np.argmax(areas)) + 1
    away = cv2.distanceTransform((~largest).astype(np.uint8), cv2.DIST_L2, 3)
    # Each speck's nearest pixel to the largest piece: the minimum of the distance over the speck's pixels.
    pieces = np.asarray(labels, np.intp)
    nearest = np.full(count, np.inf)
    np.minimum.at(nearest, pieces[pieces > 0], away[pieces > 0])
    stray = np.zeros(count, bool)
    stray[specks] = nearest[specks] > STRAY_REACH * shoulder_width
    return np.asarray(mask & ~stray[labels], np.uint8)


def _without_slivers(mask: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: `mask` less the pieces apart from its largest that touch the `skin` and are nowhere SLIVER_SIDE
    px thick. An arm's shaded rim, darker than the skin's chroma takes and than the backdrop, is taken for garment a
    px or two wide along the arm: once the arm itself is skin (`thin_arms`), repainted as backdrop it cut a white notch
    into the arm. A black sleeve's edge beyond its white stripe lies along no skin: it stays."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 2:
        return mask
    thick = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, np.ones((SLIVER_SIDE, SLIVER_SIDE), np.uint8))
    keep = np.ones(count, bool)
    keep[labels[cv2.dilate(skin.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0]] = False
    keep[labels[thick > 0]] = True
    keep[int(np.argmax(stats[1:, cv2.CC_STAT_AREA])) + 1] = True
    return np.asarray(mask & keep[labels], np.uint8)


def _unlike_face(image: np.ndarray, core: np.ndarray, pose: Pose, person: np.ndarray) -> bool:
    """Whether the garment's sure `core` and the face differ in median colour by DISTINCT_COLOURS (Lab)."""
    face = face_pixels(image, pose, person)
    if face.sum() < MIN_FACE_PIXELS or core.sum() < MIN_COLOUR_PIXELS:
        return False
    garment, skin = (cv2.cvtColor(image[pixels][:, None], cv2.COLOR_RGB2LAB)[:, 0].astype(np.float32)
                     for pixels in (core > 0, face))
    return bool(np.linalg.norm(np.median(garment, axis=0) - np.median(skin, axis=0)) > DISTINCT_COLOURS)


# Widths of the body itself (not its clothes), as shares of the shoulder width or of the hip joints' distance.
NECK_WIDTH = 0.3
NECK_LENGTH = 0.45
TORSO_PAD = 0.06  # the torso's edge beyond the shoulder joints
# The torso's outline down from the shoulders, as shares of the torso's length: as broad as the shoulders'
# line down to the armpits, narrowest at the waist (WAIST of the hips' breadth), out to the hips' breadth at the
# hip joints. A straight taper from the shoulders to the hip joints' 1.35 times their distance was broader at the
# waist and narrower at the hips than a body: a midriff bared by a crop top read as a block as wide as the old
# shirt, and the top of trousers beside it as skin.
ARMPIT_LEVEL = 0.3
WAIST_LEVEL = 0.62
WAIST = 0.78
TORSO_OUTLINE_STEPS = 12  # points along each side between the armpit and the hip joint
HIP_JOINTS = 0.65  # of the shoulder width: how far apart hip joints are


def bare_body(pose: Pose, shape: tuple[int, int], legs: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1}: where the body itself is, under any clothes: torso, neck and legs the pose sees (`legs`:
    each leg's mask, from `leg_shapes` when not given).

    Old garment left uncovered inside it is repainted with skin, outside it with the background.
    """
    frame = body_frame(pose)
    width = frame.shoulder_width
    body = bare_torso(pose, shape) & ~_outward_of_upper_arms(pose, frame, shape)
    neck = (frame.left_shoulder + frame.right_shoulder) / 2
    _line(body, neck, neck - frame.down * NECK_LENGTH * width, max(1, round(NECK_WIDTH * width)))
    # The shoulders and arms are the photo's own (`warp_gen.arms.fit_arms`: sized from the skin and outline
    # the photo shows of them); the classical composite adds them.
    return body | ((leg_shapes(pose, shape) if legs is None else legs).max(axis=0) > 0).astype(np.uint8)


def _outward_of_upper_arms(pose: Pose, frame: BodyFrame, shape: tuple[int, int]) -> np.ndarray:
    """bool HxW: outward of each upper arm's bone (shoulder joint to elbow; straight down where the pose sees no
    elbow), between the shoulders' line and the elbow's level. The torso's box stands as broad as the shoulders down
    to the armpits: a bared shoulder and upper arm repainted over it read as one block with a square corner at the
    shoulders' line; the arm itself (`warp_gen.arms`) is added back round its bone."""
    outward = np.zeros(shape, np.uint8)
    far = float(sum(shape))  # past the photo's edge, across from the bone
    for side, shoulder_index, elbow_index in ((1.0, lm.LEFT_SHOULDER, lm.LEFT_ELBOW),
                                              (-1.0, lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW)):
        shoulder = pose.point(shoulder_index)
        elbow = pose.point(elbow_index) if pose.sees(elbow_index) else shoulder + frame.down * frame.shoulder_width
        if float((elbow - shoulder) @ frame.down) <= 0:  # a raised arm: no torso's side below it
            continue
        away = frame.across * side * far
        corners = np.array([shoulder, elbow, elbow + away, shoulder + away])
        cv2.fillPoly(outward, [np.round(corners).astype(np.int32)], 1)
    return outward > 0


def _hip_joints(frame: BodyFrame) -> float:
    """px: how far apart the hip joints are. Hips placed below a half-body photo's frame stand a shoulder width
    apart; real hip joints do not."""
    if frame.hips_seen:
        return float(np.linalg.norm(frame.left_hip - frame.right_hip))
    return HIP_JOINTS * frame.shoulder_width


def bare_torso(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """uint8 {0, 1}: the torso itself, from the shoulders' line to the hip joints' (`bare_body`'s torso).

    As broad as the shoulders down to the armpits, then in towards the waist and out to the pelvis, along a
    smooth curve (a cosine's half period each way, level at the waist): a polygon's corner at the waist
    showed as a notch in a bared midriff's outline.
    """
    frame = body_frame(pose)
    width = frame.shoulder_width
    shoulder_centre = (frame.left_shoulder + frame.right_shoulder) / 2
    hip_centre = (frame.left_hip + frame.right_hip) / 2
    shoulder_half, pelvis_half = (1 + 2 * TORSO_PAD) * width / 2, HIP_BREADTH * _hip_joints(frame) / 2
    armpit_half = shoulder_half + ARMPIT_LEVEL * (pelvis_half - shoulder_half)  # where the old taper had it
    waist_half = min(WAIST * pelvis_half, armpit_half)
    levels = np.linspace(ARMPIT_LEVEL, 1.0, TORSO_OUTLINE_STEPS)
    upper = levels < WAIST_LEVEL
    # 0 at the waist, 1 at the armpit above it or at the hip joint below it.
    away = np.where(upper, (WAIST_LEVEL - levels) / (WAIST_LEVEL - ARMPIT_LEVEL),
                    (levels - WAIST_LEVEL) / (1.0 - WAIST_LEVEL))
    ease = (1 - np.cos(np.pi * away)) / 2
    halves = waist_half + ease * np.where(upper, armpit_half - waist_half, pelvis_half - waist_half)
    centres = shoulder_centre[None] + levels[:, None] * (hip_centre - shoulder_centre)[None]
    left = centres + halves[:, None] * frame.across[None]
    right = centres - halves[:, None] * frame.across[None]
    outline = np.concatenate([[shoulder_centre + frame.across * shoulder_half], left, right[::-1],
                              [shoulder_centre - frame.across * shoulder_half]])
    torso = np.zeros(shape, np.uint8)
    cv2.fillPoly(torso, [np.round(outline).astype(np.int32)], 1)
    return torso
