"""The shopper's arms and shoulders as the photo shows them, for repainting the parts a new garment bares.

A bared arm repainted as "skin inside a band along the bone" read as a flat strip or a blob with a ragged
outline: the band's width was a guess, the old sleeve's outline cut it, and its shading came from a mask's
distance transform. Here each arm is a chain of tapered capsules along the pose's shoulder, elbow and wrist,
placed and sized from what the photo shows of that arm (`fit_arms`): the visible skin's run across the bone
(a bare forearm, the arm below a sleeveless armhole), else the person mask's outline across it (a tight
sleeve is the arm); the wider of both arms' (what hides part of an arm only narrows it), else the body's
proportions. The shoulder is a rounded deltoid up to the photo's shoulder outline, joined to the neck's
base by the trapezius's slope (concave where it leaves the neck, convex over the deltoid). The same
geometry gives each pixel its place across the arm (`Arms.across`), so the shading is a cylinder's (on the
shoulder, darkening outward only), whatever outline the repaint cuts, and tells where an arm hangs apart from
the body below its armpit (`Arms.apart`). Pure numpy/OpenCV: tested on synthetic images whose arms are known.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose, body_frame
from fittingroom.warp_gen.sheer import seen_through

# Half widths as shares of the shoulder width when the photo shows nothing of an arm (an adult's proportions).
UPPER_ARM_HALF = 0.12
FOREARM_HALF = 0.1
FOREARM_OVER_UPPER = 0.85  # a forearm's width over the upper arm's, to give one from the other
# Of the measured half width: the taper at each joint (a shoulder's is the deltoid, drawn on its own).
ELBOW_TAPER = 0.92
WRIST_TAPER = 0.8
# A real arm's outline is no straight tube: the biceps swells the upper arm a little below its middle, the forearm's
# muscles just below the elbow, before it tapers to the wrist. Of each segment's half width there (upper arm,
# forearm; past the wrist, none): how much it swells, and where along it (a share of its length) the swell peaks.
SWELLS = ((0.06, 0.45), (0.1, 0.3))
SWELL_PIECES = 6  # each swelling segment is drawn as this many tapered capsules
# Of the half width: how far towards the body from its bone an arm hanging at the body's side is lit best (its outer
# side turns away from a frontal studio light; catalogue shoppers' bare arms peak a tenth to a third inward).
LIT_INWARD = 0.2
END_REACH = 2.0  # of the half width at the last joint the pose sees: how far past it the arm goes on
DELTOID = 1.12  # the deltoid's radius over the upper arm's half width, centred on the shoulder joint
# ... as measured on the photo (`_deltoid`): on this many rays, within these shares of that half width (a
# shoulder pad or a puffed sleeve's outline stands further out, and is clipped to the larger).
DELTOID_RAYS = 5
DELTOID_RANGE = (1.0, 2.6)
# Outward, the shoulder reaches at most this many half widths: past it the outline is a loose garment's (a tee's
# dropped shoulder reached 2.1-2.6 and its square sleeve tops were repainted as bare shoulders); the shoulders'
# top stands up to DELTOID_RANGE[1] above the joint (BlazePose places it low in the deltoid).
DELTOID_OUTWARD = 1.5
# Of the upper arm's length: where the deltoid ends on it. Its outline tapers from the shoulder's cap into the arm's
# down to there: drawn as a circle round the joint above a tube, the cap stood out as a square corner over a step.
DELTOID_INSERTION = 0.45
ARMPIT = 0.3  # of the upper arm's length below the shoulder joint: where it parts from the torso (`Arms.apart`)
DELTOID_DROP = 1.0  # of its reach: how far below the joint the deltoid is broadest (its cap rounds over the joint)
NECK_HALF = 0.15  # of the shoulder width: the neck's half width at its base
NECK_BASE = 0.3  # ... and how far above the shoulder joints' line the trapezius meets it (a collar lies on it)
# The shoulder's outline from there to the deltoid's broadest point (`_shoulder_line`): a real shoulder leaves the
# neck's side going down and out (at least NECK_FLARE outward per unit down), curving concave into the trapezius's
# slope, which turns convex over the deltoid and goes straight down its outer side. NECK_FILLET: of the distance from
# the neck's point to the deltoid's broadest, how far the outline keeps leaving the neck's way (a straight line from
# the neck meeting a narrow cap over the joint stood as a square corner).
NECK_FLARE = 0.35
NECK_FILLET = 0.35
TRAPEZIUS_FALL = 0.2  # the least a shoulder falls from the neck to over its joint, per unit across
SHOULDER_POINTS = 32  # along that outline
# Of the shoulder width: the widest a neck's half width at its base is read from the photo's skin (across the neck's
# axis there, each side on its own); a neck the photo shows wider than NECK_HALF (the skin above the old collar) sticks
# out past a trapezius leaving from the narrower neck as a tab.
NECK_WIDEST = 0.22
# Of the shoulder width: how far below the neck's base its skin is read for the neck's outline (`_neck_side`), and
# over how many rows the outline's way is read there (outward per unit down, from NECK_FLARE to NECK_FLATTEST).
NECK_ROWS = 0.15
NECK_TREND = 0.03
NECK_FLATTEST = 2.0
# Across each arm segment, this many profiles between these shares of its length (the joints' ends are
# where a hand, an armpit or the deltoid widen it); a measure needs MIN_PROFILES of them to agree.
PROFILES = 11
PROFILE_SPAN = (0.2, 0.8)
# ... and for an upper arm whose skin shows only near its elbow, below a short loose sleeve's hem (an arm akimbo: its
# sleeve's hem at 0.75 of the upper arm, its skin below too short for PROFILE_SPAN), the span it is measured over.
BELOW_SLEEVE_SPAN = (0.6, 0.9)
MIN_PROFILES = 3
SEARCH = 2.5  # of the default half width: how far across the bone a profile looks
# A measured half width within these shares of the default is an arm; wider is a hand on a hip, a bag, the
# torso beside it; narrower a strap or a sliver of skin at a sleeve's edge.
PLAUSIBLE = (0.5, 1.7)
WIDE_QUANTILE = 0.75  # of a segment's plausible runs: its half width
SKIN_GAP = 1.0  # of the default upper arm's half width: the widest gap in an arm's skin closed before measuring it
SLEEVE_EASE = 0.9  # a sleeve's outline stands this much wider than the arm in it
MAX_SHIFT = 1.2  # of the half width: how far the photo's arm may lie off the pose's bone
MIN_BACKDROP_PIXELS = 50  # fewer, and the photo shows too little backdrop to tell its colour
# Of the shoulder width: how far past the person mask a pixel may still be the person, when its colour is not
# the backdrop's (Lab distance to its median over this).
PERSON_REACH = 0.06
BACKDROP_DISTANCE = 20.0
BACKDROP_SAMPLE = 16  # every this many of the backdrop's pixels give its colour
# An arm segment (upper arm, forearm) is sleeved by the old garment when at least this share of its outline at its
# lower joint lies on that garment: bared by a shorter new sleeve, it shows no skin to keep it in front of the new
# garment (`Arms.bared`).
SLEEVED_SHARE = 0.5
# px at 512 (scaled with the photo's longer side): how far past a bared arm's old sleeve its remnants are looked for
# (`sleeve_remnants`: the cuff's corner the worn garment's mask, solved at a fraction of the size, leaves out).
REMNANT_REACH = 0.016
# Of the longer side: the widest gap between a bared arm and the new garment's side hanging behind it that is closed,
# the arm reaching under the garment's edge (`under_garment`): left, the skirt beside it showed as a patterned line.
BEHIND_GAP = 0.016
# Of the shoulder width: the widest gap between a bared arm and the body (the waist beside a hanging arm) that the new
# garment hangs across behind the arm (`behind_arms`), closed on a photo BEHIND_SHRINK times smaller. Cut to the
# photo's silhouette there, a tee's side took the old tight top's waist: a notch of backdrop beside the arm.
ARM_BODY_GAP = 0.25
BEHIND_SHRINK = 4
REMNANT_SHARE = 0.2  # the least share of the sleeve's colour in a remnant's (its corner's anti-aliased pixels)
MIN_COLOUR_PIXELS = 20  # fewer, and a colour (the sleeve's, the skin's) is not known
REMNANT_SAMPLE = 4  # every this many rows and columns of the backdrop and the skin give their colours
# Of an arm's length (shoulder to wrist): how far up a bared arm its hand's colour carries (1/e of it; `hand_tone`).
HAND_REACH = 0.5
HAND_STEP = 4  # px: the grid the hand's colour and its reach are worked out on (both smooth over an arm)


@dataclass(frozen=True)
class Arm:
    """One arm: its joints (shoulder, then elbow and wrist as far as the pose sees them) and half widths."""

    joints: np.ndarray  # [n, 2] float64 px: then a point past the last, where the arm goes on into the hand
    radii: np.ndarray  # [n] float64 px: the half width at each joint
    deltoid: float  # px: the shoulder's radius round its joint, outward and below it
    rise: float  # px: how far above its joint the shoulder's top is (the deltoid is a half ellipse above)
    outward: np.ndarray  # [2] unit vector away from the body's midline, across it
    up: np.ndarray  # [2] unit vector towards the head
    neck: np.ndarray  # [2] float64 px: where its trapezius meets the neck (the neck's visible skin, the old garment)
    # [2] unit vector: the way the shoulder's outline leaves the neck there (down and outward), as the photo's neck
    # shows it, or flatter along the old garment's top beside it (`_along_garment_top`); None: straight towards the
    # shoulder's top (the photo shows no neck outline there).
    leave: np.ndarray | None
    chest: np.ndarray  # [2] float64 px: the middle of the shoulder joints' line, the shoulder girdle's inner end
    # The person mask's outline round the shoulder is a loose garment's, standing past DELTOID_OUTWARD (`_deltoid`):
    # the shoulder drawn (`deltoid`) is the body's proportion under it, not that outline.
    loose: bool = False


@dataclass(frozen=True)
class Arms:
    """Both arms as fitted to one photo (`fit_arms`): their outline (`mask`) and shading geometry (`across`)."""

    arms: tuple[Arm, ...]
    shape: tuple[int, int]
    on_person: np.ndarray  # bool HxW: where the photo shows the person, not the backdrop (`shows_person`)
    # The places across the arms on each grid asked for (`across`): the repaint's shading, the arms' colour and their
    # sides' light read them on the same grid, and each working it out again cost ~3 ms at 512 px.
    _across: dict[tuple[int, int, int], np.ndarray] = field(default_factory=dict, init=False, repr=False,
                                                            compare=False)
    # The outlines drawn (`mask`), by whether with shoulders and hands: the composite, the repaint's shading and the
    # arms' colour ask for the same ones, each drawing ~13 ms at 512 px.
    _masks: dict[tuple[bool, bool], np.ndarray] = field(default_factory=dict, init=False, repr=False, compare=False)

    def mask(self, shoulders: bool = True, hands: bool = True) -> np.ndarray:
        """bool HxW: the arms and `shoulders` (capsules; deltoids and trapezius slopes; sub-pixel polygons) where
        the photo shows the person: never the backdrop between an arm and the body. Without `hands`, an arm stops
        at its wrist (where the pose sees it)."""
        key = (shoulders, hands)
        if key not in self._masks:
            self._masks[key] = self._outline(shoulders, hands)
        return self._masks[key].copy()

    def _outline(self, shoulders: bool, hands: bool) -> np.ndarray:
        canvas = np.zeros(self.shape, np.uint8)
        for arm in self.arms:
            if shoulders:
                _fill_polygon(canvas, [_shoulder_line(arm), _shoulder(arm, below_only=True)[::-1], arm.chest[None]])
                if len(arm.joints) > 1:  # the deltoid tapers into the upper arm down to its insertion
                    insertion = arm.joints[0] + DELTOID_INSERTION * (arm.joints[1] - arm.joints[0])
                    _fill_hull(canvas, [_shoulder(arm, below_only=True), _circle(insertion, float(
                        _half_width(np.array(DELTOID_INSERTION), float(arm.radii[0]), float(arm.radii[1]), 0)))])
            for a, b, ra, rb, segment in _pieces(arm):
                if hands or segment < len(SWELLS):
                    _fill_hull(canvas, [_circle(a, ra), _circle(b, rb)])
        return (canvas > 0) & self.on_person

    def bared(self, worn: np.ndarray, ends: tuple[tuple[np.ndarray, np.ndarray | None] | None, ...]) -> np.ndarray:
        """bool HxW: the segments of the arms (upper arm, forearm; past the wrist, the old sleeve's cuff) that the old
        garment (`worn`) sleeved down to their lower joint, past where the new garment stops covering each arm:
        `ends`, per arm (left, right), a point on the line across it where the new garment ends and the direction
        down the arm past it (None: along the bone there), or None where the new garment covers all of that arm
        (or is not known to leave any of it).

        An arm the old garment sleeved shows no skin, so nothing keeps it in front of the new garment: the fit
        lays a tee's side behind a hanging arm, and painted over it, the bared arm was left a thin strip. All of the
        arm's outline, not only the old sleeve: where it reaches past that onto a skirt beside it, the skirt left there
        drew a patterned strip between the arm and the new garment.
        """
        bared = np.zeros(self.shape, bool)
        worn = worn > 0
        for arm, end in zip(self.arms, ends, strict=False):
            if end is None or len(arm.joints) < 2:
                continue
            sleeved, own = False, np.zeros(self.shape, bool)
            for segment in range(len(arm.joints) - 1):
                pieces = [piece[:4] for piece in _pieces(arm) if piece[4] == segment]
                # Sleeved down to its lower joint: a short sleeve leaves the elbow bare, whose skin keeps it in front.
                # Past the wrist the hand: its old sleeve's cuff reaches there when the forearm is sleeved.
                if segment < len(SWELLS):
                    lowest = np.zeros(self.shape, np.uint8)  # the segment's last piece, at its lower joint
                    a, b, ra, rb = pieces[-1]
                    _fill_hull(lowest, [_circle(a, ra), _circle(b, rb)])
                    inside = lowest > 0
                    # No garment sleeves the forearm of a bare upper arm: a camisole's outline under a hand in a
                    # pocket held half the forearm's wrist end, and the arm was repainted, wider, over the photo's.
                    sleeved = (segment == 0 or sleeved) and bool(
                        (inside & worn).sum() >= SLEEVED_SHARE * max(int(inside.sum()), 1))
                if not sleeved:
                    continue
                canvas = np.zeros(self.shape, np.uint8)
                for a, b, ra, rb in pieces:
                    _fill_hull(canvas, [_circle(a, ra), _circle(b, rb)])
                own |= (canvas > 0) & (worn if segment >= len(SWELLS) else True)
            if not own.any():
                continue
            point, down = end
            direction = _down_chain(arm.joints, point) if down is None else down / max(float(np.linalg.norm(down)),
                                                                                        1e-6)
            bared |= own & _past(point, direction, self.shape)
        return bared & self.on_person

    def across(self, step: int, size: tuple[int, int]) -> np.ndarray:
        """float32 on a grid of `size` (width, height) cells of `step` px: each cell's place across the nearest
        arm (0 on its lit line, LIT_INWARD of its half width inward of its bone; 1 at its outline on either side,
        over the distance between them; on the shoulder, outward off its joint over its reach), inf off the arms."""
        key = (step, *size)
        if key not in self._across:
            self._across[key] = self._place_across(step, size)
        return self._across[key].copy()

    def _place_across(self, step: int, size: tuple[int, int]) -> np.ndarray:
        width, height = size
        ys, xs = (np.mgrid[:height, :width].astype(np.float64) + 0.5) * step - 0.5
        points = np.stack([xs, ys], axis=-1)
        nearest = np.full((height, width), np.inf, np.float32)
        for arm in self.arms:
            # The shoulder's top faces up into the studio light: it darkens only outward, where it turns away
            # as the arm below it does; its inner half is lit like the arm's bone.
            offset = points - arm.joints[0]
            outward, along_up = offset @ arm.outward, offset @ arm.up
            rise = np.where(along_up > 0, arm.rise, arm.deltoid)
            on_shoulder = (outward / arm.deltoid) ** 2 + (along_up / rise) ** 2 <= 1.0
            nearest = np.minimum(nearest, np.where(on_shoulder, np.maximum(outward, 0.0) / arm.deltoid, np.inf))
            for index, (a, b, ra, rb) in enumerate(zip(arm.joints[:-1], arm.joints[1:], arm.radii[:-1],
                                                       arm.radii[1:], strict=True)):
                bone = b - a
                t = np.clip(((points - a) @ bone) / max(float(bone @ bone), 1e-6), 0.0, 1.0)
                offset = points - (a + t[..., None] * bone)
                # Signed, outward positive, in half widths; then measured off the lit line to the outline's side.
                signed = np.where(offset @ arm.outward >= 0, 1.0, -1.0) * np.sqrt((offset**2).sum(axis=-1)) / (
                    _half_width(t, float(ra), float(rb), index))
                place = np.where(signed >= -LIT_INWARD, (signed + LIT_INWARD) / (1.0 + LIT_INWARD),
                                 (-LIT_INWARD - signed) / (1.0 - LIT_INWARD))
                nearest = np.minimum(nearest, place)
        return nearest.astype(np.float32)

    def apart(self) -> np.ndarray:
        """bool HxW: the arms (`mask`, without the shoulders) below their armpits (ARMPIT of the upper arm down from
        the shoulder joint): where an arm hanging beside the body is a surface of its own, parted from the torso by
        its turning edge, not joined to it as at the shoulder."""
        found = np.zeros(self.shape, bool)
        for arm in self.arms:
            if len(arm.joints) < 2:
                continue
            canvas = np.zeros(self.shape, np.uint8)
            for a, b, ra, rb, _ in _pieces(arm):
                _fill_hull(canvas, [_circle(a, ra), _circle(b, rb)])
            armpit = arm.joints[0] + ARMPIT * (arm.joints[1] - arm.joints[0])
            found |= (canvas > 0) & _past(armpit, _down_chain(arm.joints, armpit), self.shape)
        return found & self.on_person

    def narrowest(self) -> float:
        """px: the smallest half width of any arm at any joint (1 when there are no arms)."""
        return min((float(arm.radii.min()) for arm in self.arms), default=1.0)


def _half_width(t: np.ndarray, ra: float, rb: float, segment: int) -> np.ndarray:
    """px: the half width `t` (0..1) along an arm's `segment` (0 the upper arm, 1 the forearm, 2 past the wrist)
    whose joints' are `ra` and `rb`: between them, swollen as SWELLS has it (a smooth bump, 0 at both joints)."""
    straight = ra + t * (rb - ra)
    if segment >= len(SWELLS):
        return np.asarray(straight)
    swell, peak = SWELLS[segment]
    return np.asarray(straight * (1.0 + swell * np.sin(np.pi * t ** (np.log(0.5) / np.log(peak)))))


def _pieces(arm: Arm) -> list[tuple[np.ndarray, np.ndarray, float, float, int]]:
    """The arm as (start, end, start's half width, end's, segment) capsules: each segment in SWELL_PIECES pieces
    along its swollen half widths (`_half_width`; past the wrist, one)."""
    pieces = []
    for index, (a, b, ra, rb) in enumerate(zip(arm.joints[:-1], arm.joints[1:], arm.radii[:-1], arm.radii[1:],
                                               strict=True)):
        if index >= len(SWELLS):
            pieces.append((a, b, float(ra), float(rb), index))
            continue
        t = np.linspace(0.0, 1.0, SWELL_PIECES + 1)
        radii = _half_width(t, float(ra), float(rb), index)
        points = a + t[:, None] * (b - a)
        pieces += [(points[i], points[i + 1], float(radii[i]), float(radii[i + 1]), index)
                   for i in range(SWELL_PIECES)]
    return pieces


def _past(point: np.ndarray, direction: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """bool HxW: past the line through `point` across `direction` (per column and per row, summed by broadcasting)."""
    height, width = shape
    return np.asarray(((np.arange(width) - point[0]) * direction[0])[None, :]
                      + ((np.arange(height) - point[1]) * direction[1])[:, None] > 0)


def _down_chain(joints: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The unit direction down the bone chain `joints` (two or more) at its bone nearest `point`."""
    found = []
    for a, b in itertools.pairwise(joints):
        bone = b - a
        length = max(float(np.linalg.norm(bone)), 1e-6)
        t = float(np.clip((point - a) @ bone / length**2, 0.0, 1.0))
        found.append((float(np.linalg.norm(point - (a + t * bone))), bone / length))
    return min(found, key=lambda item: item[0])[1]


def _shoulder(arm: Arm, count: int = 48, below_only: bool = False) -> np.ndarray:
    """[count, 2]: the shoulder's outline round its joint: a half ellipse above (`rise` high), a circle below
    (with `below_only`, the circle's half below the joint alone)."""
    angles = np.linspace(np.pi if below_only else 0.0, 2 * np.pi, count, endpoint=False)
    drop = DELTOID_DROP * arm.deltoid
    rise = np.where(np.sin(angles) > 0, arm.rise + drop, arm.deltoid)
    return np.asarray(arm.joints[0] - drop * arm.up + np.cos(angles)[:, None] * arm.deltoid * arm.outward
                      + (np.sin(angles) * rise)[:, None] * arm.up)


def _shoulder_line(arm: Arm, count: int = SHOULDER_POINTS) -> np.ndarray:
    """[count, 2]: the shoulder's outline from where its trapezius meets the neck (`arm.neck`) to the deltoid's
    broadest point, outward of its joint by its reach, DELTOID_DROP of it below: a cubic Bezier leaving the neck's
    side the way its outline goes there (`arm.leave`: concave there; without, straight towards the shoulder's top),
    arriving straight down the deltoid's outer side, so convex over it, that passes over the joint at the shoulder's
    top as the photo shows it (`arm.rise` above it; the trapezius falling at least TRAPEZIUS_FALL)."""
    joint, drop = arm.joints[0], DELTOID_DROP * arm.deltoid
    # In the shoulder's own frame: outward, up; the joint at the origin.
    start = np.array([(arm.neck - joint) @ arm.outward, (arm.neck - joint) @ arm.up])
    start[0] = min(start[0], 0.0)
    end = np.array([arm.deltoid, -drop])
    # The shoulder's top over the joint, no higher than the trapezius falling at TRAPEZIUS_FALL from the neck (a top
    # level with the neck's base, a boxy tee's, drew a hump).
    top = np.array([0.0, min(arm.rise, float(start[1] + TRAPEZIUS_FALL * start[0]))])
    leave = (np.array([arm.leave @ arm.outward, arm.leave @ arm.up]) if arm.leave is not None
             else (top - start) / max(float(np.linalg.norm(top - start)), 1e-6))
    first = start + NECK_FILLET * float(np.linalg.norm(end - start)) * leave
    first[0] = min(first[0], end[0])  # the outline goes outward all along (its height, read over the joint, is one)
    t = np.linspace(0.0, 1.0, count)[:, None]

    def curve(t: np.ndarray, lift: float) -> np.ndarray:  # lift: how far above the broadest point its last control is
        return np.asarray((1 - t) ** 3 * start + 3 * (1 - t) ** 2 * t * first
                          + 3 * (1 - t) * t**2 * (end + np.array([0.0, lift])) + t**3 * end)

    # The lift that puts the outline at that top: how far outward the curve is does not depend on it, and its height
    # grows with it in proportion, so the curve's point over the joint (at `over` along it) tells it at once.
    flat = curve(t, 0.0)
    over = np.array([[float(np.interp(0.0, flat[:, 0], t[:, 0]))]])
    lift = max(0.0, (float(top[1]) - float(curve(over, 0.0)[0, 1])) / max(3 * (1 - over[0, 0]) * over[0, 0] ** 2, 1e-6))
    points = curve(t, lift)
    return np.asarray(joint + points[:, :1] * arm.outward + points[:, 1:] * arm.up)


def _circle(centre: np.ndarray, radius: float, count: int = 48) -> np.ndarray:
    angles = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
    return np.asarray(centre + max(radius, 0.5) * np.stack([np.cos(angles), np.sin(angles)], axis=1))


def _fill_hull(canvas: np.ndarray, parts: list[np.ndarray]) -> None:
    """Fill the convex hull of the points, at 1/16 px (OpenCV's sub-pixel `shift`)."""
    points = np.round(np.concatenate(parts) * 16).astype(np.int32)
    cv2.fillConvexPoly(canvas, cv2.convexHull(points), 1, lineType=cv2.LINE_8, shift=4)


def _fill_polygon(canvas: np.ndarray, parts: list[np.ndarray]) -> None:
    """Fill the polygon through the points in turn (it need not be convex), at 1/16 px."""
    points = np.round(np.concatenate(parts) * 16).astype(np.int32)
    cv2.fillPoly(canvas, [points], 1, lineType=cv2.LINE_8, shift=4)


@dataclass(frozen=True)
class _Measure:
    half: float  # px
    shift: float  # px along the segment's normal: where the photo's arm is centred off the pose's bone
    on_skin: bool = True  # measured on the arm's bare skin, not on a sleeve's outline


def _profiles(mask: np.ndarray, a: np.ndarray, b: np.ndarray, reach: float,
              span: tuple[float, float] = PROFILE_SPAN) -> tuple[np.ndarray, np.ndarray]:
    """bool [PROFILES, 2*reach+1]: `mask` sampled across the segment a→b (over `span` of its length), and the
    offsets (px) it was sampled at."""
    direction = (b - a) / max(float(np.linalg.norm(b - a)), 1e-6)
    normal = np.array([-direction[1], direction[0]])
    offsets = np.arange(-round(reach), round(reach) + 1, dtype=np.float64)
    centres = a + np.linspace(*span, PROFILES)[:, None] * (b - a)
    points = np.round(centres[:, None] + offsets[None, :, None] * normal).astype(int)
    height, width = mask.shape
    inside = (points[..., 0] >= 0) & (points[..., 0] < width) & (points[..., 1] >= 0) & (points[..., 1] < height)
    xs, ys = np.clip(points[..., 0], 0, width - 1), np.clip(points[..., 1], 0, height - 1)
    return mask[ys, xs] & inside, offsets


def _run_through_bone(row: np.ndarray, offsets: np.ndarray, near: float) -> tuple[float, float] | None:
    """The (start, end) offsets of the run of True in `row` nearest the bone (offset 0; a run reaching within
    `near` of it), if it ends inside the profile on both sides (a run cut by the profile's end is no measure)."""
    if not row.any():
        return None
    labels = np.cumsum(np.diff(np.concatenate([[0], row.astype(np.int8)])) == 1) * row
    closest = int(np.argmin(np.where(row, np.abs(offsets), np.inf)))
    if abs(offsets[closest]) > near:
        return None
    label = labels[closest]
    run = np.flatnonzero(labels == label)
    if run[0] == 0 or run[-1] == len(row) - 1:
        return None
    return float(offsets[run[0]]) - 0.5, float(offsets[run[-1]]) + 0.5


def _measure(mask: np.ndarray, a: np.ndarray, b: np.ndarray, default: float,
             span: tuple[float, float] = PROFILE_SPAN) -> _Measure | None:
    """The arm's half width and centre across a→b from the runs of `mask` across its bone (over `span` of its
    length), when enough of the profiles show a plausible arm."""
    rows, offsets = _profiles(mask, a, b, SEARCH * default, span)
    found = [run for row in rows if (run := _run_through_bone(row, offsets, MAX_SHIFT * default)) is not None]
    halves = np.array([(end - start) / 2 for start, end in found])
    centres = np.array([(end + start) / 2 for start, end in found])
    plausible = (halves >= PLAUSIBLE[0] * default) & (halves <= PLAUSIBLE[1] * default)
    if plausible.sum() < MIN_PROFILES:
        return None
    shift = float(np.clip(np.median(centres[plausible]), -MAX_SHIFT * default, MAX_SHIFT * default))
    # What hides part of an arm (the garment it hangs behind, a bag) only narrows its runs: the wider ones tell.
    return _Measure(float(np.quantile(halves[plausible], WIDE_QUANTILE)), shift)


def _segment_measure(skin: np.ndarray, sleeves: tuple[np.ndarray, ...], a: np.ndarray, b: np.ndarray,
                     default: float, through: np.ndarray | None = None) -> _Measure | None:
    """What the photo shows of one arm segment: its bare skin, else the skin seen `through` a sheer sleeve (a mask,
    or None where the sleeves are opaque), else its sleeve's outline (eased to the arm) on the first of `sleeves`
    (masks) that shows one."""
    bare = _measure(skin, a, b, default)
    if bare is not None:
        return bare
    # A sheer sleeve's outline is no measure of the arm in it: the arm shows through it. On a loose black mesh sleeve
    # the arm seen through was a third narrower than the sleeve (eased), and the bared arm was painted as wide as the
    # sleeve; where it shows too little to measure, the other arm's or segment's measure is the arm's.
    if through is not None:
        return _measure(through, a, b, default)
    for mask in sleeves:
        sleeve = _measure(mask, a, b, default)
        if sleeve is not None:
            return _Measure(min(sleeve.half * SLEEVE_EASE, PLAUSIBLE[1] * default), sleeve.shift, on_skin=False)
    return None


def shows_person(image: np.ndarray, person: np.ndarray, reach_px: float) -> np.ndarray:
    """bool HxW: the person mask, and within `reach_px` of it what is not the backdrop's colour.

    The person mask is solved at a fraction of the size and soft at its outline: it cut a lit shoulder's
    top off by several pixels, and a repaint clipped to it left a notch of backdrop in the shoulder.
    """
    inside = person > 0.5
    outside = person < 0.1
    if outside.sum() < MIN_BACKDROP_PIXELS:
        return np.asarray(inside)
    side = 2 * max(1, round(reach_px)) + 1
    near = cv2.dilate(inside.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))) > 0
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    backdrop = np.median(lab[outside][::BACKDROP_SAMPLE], axis=0)  # a smooth studio backdrop: a sample tells it
    rim = near & ~inside
    apart = np.zeros_like(inside)
    apart[rim] = np.linalg.norm(lab[rim] - backdrop, axis=-1) > BACKDROP_DISTANCE
    return np.asarray(inside | apart)


def fit_arms(pose: Pose, image: np.ndarray, person: np.ndarray, skin: np.ndarray,
             worn: np.ndarray | None = None) -> Arms:
    """The shopper's arms as the pose places them and the photo (`person` mask, visible `skin`, the `worn` garment's
    mask where known) sizes them.

    Each segment's half width is measured on this arm's bare skin, the skin seen through a dark sheer sleeve (a mesh:
    `sheer.seen_through`; its outline then measures nothing), or sleeve outline: the worn garment's sleeve,
    else the person's outline (a sleeve beside a skirt merges with it there, and read as no arm, the bone stayed
    off the sleeve, over the skirt); a segment the photo
    does not show takes the other arm's same segment, and one the photo shows on both arms the wider of
    the two; else this arm's other segment, else the other arm's (in the forearm's proportion to the upper arm),
    else the body's proportions. The bone is moved onto the photo's arm
    where it was measured off it.
    """
    frame = body_frame(pose)
    shape = person.shape[:2]
    person_in = shows_person(image, person, PERSON_REACH * frame.shoulder_width)
    # The skin test leaves specks and the shaded crease of an arm out (or a strap crosses it): closed over a
    # share of an arm's half width, its runs across the arm are whole; the backdrop stays out.
    gap = 2 * max(2, round(SKIN_GAP * UPPER_ARM_HALF * frame.shoulder_width / 2)) + 1
    def closed(mask: np.ndarray) -> np.ndarray:
        return np.asarray((cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((gap, gap), np.uint8)) > 0)
                          & person_in)

    skin_in = closed(skin)
    # The skin seen through a dark sheer old garment (a mesh top), closed as the visible skin is.
    through = seen_through(image, (worn > 0) & person_in, skin) if worn is not None else None
    through_in = closed(through) if through is not None else None
    chest = (frame.left_shoulder + frame.right_shoulder) / 2
    neck_base = chest - frame.down * NECK_BASE * frame.shoulder_width
    chains = []
    for side, indices in ((1.0, (lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST)),
                          (-1.0, (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST))):
        seen = [pose.point(i) for i in indices[:1]]
        for index in indices[1:]:
            if not pose.sees(index):
                break
            seen.append(pose.point(index))
        chains.append((side, np.array(seen)))
    defaults = (UPPER_ARM_HALF * frame.shoulder_width, FOREARM_HALF * frame.shoulder_width)
    # What the neck's visible skin may stop at without the body stopping there: the old garment where known, else
    # anything on the person.
    garment = (worn > 0) & person_in if worn is not None else person_in
    sleeves = (person_in,) if worn is None else ((worn > 0) & person_in, person_in)
    measured = [[_segment_measure(skin_in, sleeves, chain[i], chain[i + 1], defaults[i], through_in)
                 if i + 1 < len(chain) else None for i in range(2)] for _, chain in chains]
    # An upper arm whose skin runs are too narrow for the body's proportions (a slim arm, partly under a short sleeve's
    # slanting hem) is measured again on its skin against the other arm's width: measured on its sleeve or not at all,
    # its bone stayed off the arm seen below the sleeve, and the bared arm stood out past it in a step at the hem.
    for which, (_, chain) in enumerate(chains):
        upper, beside = measured[which][0], measured[1 - which][0]
        if len(chain) > 1 and (upper is None or not upper.on_skin) and beside is not None and beside.on_skin:
            measured[which][0] = _measure(skin_in, chain[0], chain[1], beside.half) or upper
    # Still not measured on its skin, an upper arm is on its skin below the old sleeve's hem, near its elbow: the width
    # there is its elbow end's, for this arm alone (its shoulder, and the other arm, keep theirs). Given the other
    # arm's width all along, the akimbo arm of a plus-size shopper was a thin tube under a loose sleeve, met at the hem
    # by the arm the photo shows half as wide again: a block jutting out past it.
    elbows: list[_Measure | None] = [None, None]
    for which, (_, chain) in enumerate(chains):
        upper, beside = measured[which][0], measured[1 - which][0]
        if len(chain) > 1 and (upper is None or not upper.on_skin):
            default = beside.half if beside is not None and beside.on_skin else defaults[0]
            elbows[which] = _measure(skin_in, chain[0], chain[1], default, BELOW_SLEEVE_SPAN)
    arms = []
    for which, (side, chain) in enumerate(chains):
        own, other = measured[which], measured[1 - which]
        halves = []
        for segment in range(2):
            # Both arms are as wide; what hides part of one (an armhole's edge, a strap, a bag) only narrows it. The
            # skin tells the arm itself: a loose sleeve's outline (an arm akimbo in a tee's sleeve, eased 0.9) stood
            # half as wide again as the other arm's bare skin, and the bared upper arm was painted a block.
            found = max((m for m in (own[segment], other[segment]) if m is not None), key=lambda m: (m.on_skin, m.half),
                        default=None)
            # Else the other segment's, in proportion: this arm's, else the other arm's (with neither upper arm seen
            # through a mesh sleeve and one forearm, the other arm's upper arm stood at the body's proportions: half as
            # wide again).
            beside = own[1 - segment] or other[1 - segment]
            if found is None and beside is not None:
                ratio = FOREARM_OVER_UPPER if segment == 1 else 1 / FOREARM_OVER_UPPER
                found = _Measure(beside.half * ratio, 0.0)
            halves.append(found.half if found is not None else defaults[segment])
        joints = _shifted(chain, [m.shift if m is not None else 0.0 for m in own])
        radii = np.array([halves[0], ELBOW_TAPER * (halves[0] + halves[1]) / 2, WRIST_TAPER * halves[1]])[:len(chain)]
        if (elbow := elbows[which]) is not None:
            radii[1] = max(float(radii[1]), elbow.half)
        if len(joints) > 1:  # the arm goes on past its last joint the pose sees, into the hand (or the forearm)
            end = joints[-1] - joints[-2]
            reach = END_REACH * radii[-1] / max(float(np.linalg.norm(end)), 1e-6)
            joints, radii = np.vstack([joints, joints[-1] + reach * end]), np.append(radii, radii[-1])
        neck, leave = _neck_side(skin_in, garment, neck_base, frame.across * side, frame.down, frame.shoulder_width)
        if worn is not None:
            leave = _along_garment_top(worn > 0, neck, leave, frame.across * side, frame.down, frame.shoulder_width)
        outward = frame.across * side
        deltoid, rise, loose = _deltoid(person_in, chain[0], outward, frame.down, halves[0])
        arms.append(Arm(joints=joints, radii=radii, deltoid=deltoid, rise=rise, outward=outward, up=-frame.down,
                        neck=neck, leave=leave, chest=chest, loose=loose))
    # Both shoulders' tops stand as high over their joints, the higher read: one read alone may come out lowest (its
    # outline past the rays' reach, a tee's top high over a low joint, or a pale stripe on it read as the backdrop,
    # leave too few rays: the deltoid's radius). On 00121 + the camisole one shoulder stood one half width over its
    # joint, the other two and a quarter: a long slope from the neck to a narrow cap beside a full one. A top read too
    # high (hair on a shoulder, a boxy top's) is lowered by the trapezius' fall from the neck (`_shoulder_line`).
    rise = max(arm.rise for arm in arms)
    return Arms(arms=tuple(replace(arm, rise=rise) for arm in arms), shape=shape, on_person=person_in)


def _neck_side(skin: np.ndarray, garment: np.ndarray, base: np.ndarray, outward: np.ndarray, down: np.ndarray,
               shoulder_width: float) -> tuple[np.ndarray, np.ndarray | None]:
    """The lowest point of the neck's outline as the photo shows it on one side (`outward`) below its `base` (on its
    axis), and the direction the outline takes there (unit; outward and down): on each row from the base down over
    NECK_ROWS of the shoulder width, how far the `skin` runs outward from the axis to what is not the old `garment`
    (the backdrop, hair: where the skin stops at the garment, the body goes on under it); the row where it runs
    furthest, within NECK_HALF..NECK_WIDEST of the shoulder width (a neck flaring into the trapezius just above a crew
    collar). `base` + NECK_HALF outward and no direction where no row tells (a collar up to the chin, skin running on
    into a bare shoulder)."""
    least, most = NECK_HALF * shoulder_width, NECK_WIDEST * shoulder_width
    rows = np.arange(0.0, NECK_ROWS * shoulder_width + 1.0)
    steps = np.arange(0.0, most + 1.0)
    points = np.round(base + rows[:, None, None] * down + steps[None, :, None] * outward).astype(int)
    height, width = skin.shape
    inside = (points[..., 0] >= 0) & (points[..., 0] < width) & (points[..., 1] >= 0) & (points[..., 1] < height)
    ys, xs = np.clip(points[..., 1], 0, height - 1), np.clip(points[..., 0], 0, width - 1)
    on = skin[ys, xs] & inside
    first_off = np.where((~on).any(axis=1), (~on).argmax(axis=1), len(steps))
    reach = steps[np.minimum(first_off, len(steps) - 1)] - 0.5
    ends = np.minimum(first_off, len(steps) - 1)
    outline = ~garment[ys[np.arange(len(rows)), ends], xs[np.arange(len(rows)), ends]]
    told = on[:, 0] & (first_off < len(steps)) & outline & (reach >= least) & inside.all(axis=1)
    if not told.any():
        return base + least * outward, None
    row = int(np.argmax(np.where(told, reach, -1.0)))
    # Its outline's way there: from the skin's reach a few rows up (as steep as NECK_FLARE or flatter, to level).
    above = max(row - max(2, round(NECK_TREND * shoulder_width)), 0)
    slope = NECK_FLARE
    if row > above and told[above]:
        slope = float(np.clip((reach[row] - reach[above]) / (row - above), NECK_FLARE, NECK_FLATTEST))
    leave = np.array([slope, 1.0]) / np.hypot(slope, 1.0)
    return base + rows[row] * down + reach[row] * outward, leave[0] * outward + leave[1] * down


def _along_garment_top(worn: np.ndarray, neck: np.ndarray, leave: np.ndarray | None, outward: np.ndarray,
                       down: np.ndarray, shoulder_width: float) -> np.ndarray | None:
    """The way the shoulder's outline leaves the neck (`leave`, as `_neck_side` reads it off the neck's skin), no
    steeper than towards the old garment's top NECK_ROWS of the shoulder width outward of the `neck` point: a collar
    lies on the trapezius, whose slope it shows. A neck whose skin runs straight down to the collar gave its own way
    (down the neck), and the outline dropped below the collar's top beside the neck: a notch of backdrop there (00121's
    tee, 00034's shirt under the hair, 07966's tee beside the hair)."""
    if leave is None:
        return None
    reach = NECK_ROWS * shoulder_width
    column = np.round(neck + reach * outward + np.arange(-reach, reach + 1.0)[:, None] * down).astype(int)
    height, width = worn.shape
    if not ((column[:, 0] >= 0) & (column[:, 0] < width) & (column[:, 1] >= 0) & (column[:, 1] < height)).all():
        return leave
    on = worn[column[:, 1], column[:, 0]]
    if not on.any() or on[0]:  # no garment there, or it goes on above the neck's height (a standing collar)
        return leave
    top = neck + reach * outward + (float(np.argmax(on)) - reach) * down
    way = (top - neck) / max(float(np.linalg.norm(top - neck)), 1e-6)
    # Flatter of the two (outward over down): never rising from the neck.
    return way if (way @ down) >= 0 and (way @ outward) * (leave @ down) > (leave @ outward) * (way @ down) else leave


def _deltoid(person: np.ndarray, joint: np.ndarray, outward: np.ndarray, down: np.ndarray,
             half: float) -> tuple[float, float, bool]:
    """px: the shoulder's reach outward from its joint and its top's height above it, where the person mask's
    outline is on rays from the joint (outward and up to 45 degrees; up from 45 to 90): the pose's shoulder
    point lies lower than the shoulder's top by more than an upper arm's half width. DELTOID half widths
    each where too few rays find the outline (hair over the shoulder, the frame's edge); and whether the outline
    stands past DELTOID_OUTWARD, a loose garment's."""
    outer = _ray_reach(person, joint, outward, down, half, np.linspace(0.0, np.pi / 4, DELTOID_RAYS))
    # Further out, the outline is a loose garment's (a dropped shoulder, a sleeve standing off the arm): it tells
    # nothing of the shoulder under it, which takes the body's proportion (clipped to the limit, its square
    # corner stood as wide as the old sleeve's top and read as a block).
    loose = outer > DELTOID_OUTWARD * half
    outer = DELTOID * half if loose else outer
    top = _ray_reach(person, joint, outward, down, half, np.linspace(np.pi / 4, np.pi / 2, DELTOID_RAYS))
    return outer, max(top, outer), loose


def _ray_reach(person: np.ndarray, joint: np.ndarray, outward: np.ndarray, down: np.ndarray, half: float,
               angles: np.ndarray) -> float:
    """px: the median distance from `joint` to the person mask's outline along rays at these `angles` up
    from `outward` (counted when at least MIN_PROFILES find it within DELTOID_RANGE[1] half widths)."""
    height, width = person.shape
    steps = np.arange(1.0, DELTOID_RANGE[1] * half + 2.0)
    found = []
    for angle in angles:
        ray = joint + steps[:, None] * (np.cos(angle) * outward - np.sin(angle) * down)
        xs, ys = np.round(ray[:, 0]).astype(int), np.round(ray[:, 1]).astype(int)
        inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
        if not inside.all():
            continue
        off = np.flatnonzero(~person[ys, xs])
        if len(off):
            found.append(float(steps[off[0]]) - 0.5)
    if len(found) < MIN_PROFILES:
        return DELTOID * half
    return float(np.clip(np.median(found), DELTOID_RANGE[0] * half, DELTOID_RANGE[1] * half))


def _shifted(chain: np.ndarray, shifts: list[float]) -> np.ndarray:
    """The chain's joints moved along each segment's normal by its measured shift: a joint between two
    segments by the mean of both moves; the shoulder stays (the deltoid and the neck line hang on it)."""
    moves = np.zeros_like(chain)
    counts = np.zeros(len(chain))
    for i in range(len(chain) - 1):
        direction = (chain[i + 1] - chain[i]) / max(float(np.linalg.norm(chain[i + 1] - chain[i])), 1e-6)
        move = shifts[i] * np.array([-direction[1], direction[0]])
        for j in (i, i + 1):
            moves[j] += move
            counts[j] += 1
    moves[0] = 0.0
    return np.asarray(chain + moves / np.maximum(counts, 1)[:, None])


def enclosed_specks(hole: np.ndarray, within: np.ndarray, max_px: float, rim_px: int) -> np.ndarray:
    """bool HxW: within `within`, the pieces of what `hole` leaves out that it encloses, no larger than `max_px`
    pixels, and its rim `rim_px` wide. The skin test takes specks of a pink or beige garment for skin, and the
    garment's anti-aliased edge against the skin beside it: left out of the repaint they stayed as the old
    garment's blotches on a repainted shoulder and a pale line along its edge."""
    kept = (~hole.astype(bool)).astype(np.uint8)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(kept, connectivity=4)
    height, width = hole.shape[:2]
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right, bottom = left + stats[:, cv2.CC_STAT_WIDTH], top + stats[:, cv2.CC_STAT_HEIGHT]
    small = (stats[:, cv2.CC_STAT_AREA] <= max_px) & (left > 0) & (top > 0) & (right < width) & (bottom < height)
    small[0] = False  # the hole itself
    side = 2 * rim_px + 1
    rim = cv2.dilate(hole.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))) > 0
    return np.asarray((small[labels] | rim) & (kept > 0) & within.astype(bool))


def sleeve_remnants(image: np.ndarray, bared: np.ndarray, worn: np.ndarray, skin: np.ndarray,
                    on_person: np.ndarray) -> np.ndarray:
    """bool HxW: within REMNANT_REACH of the longer side past a bared arm's old sleeve (`bared`, `Arms.bared`),
    off the old garment (`worn`) and the visible `skin`, the pixels that are at least REMNANT_SHARE the sleeve's
    colour (its median, Lab) mixed with the skin's or the backdrop's (off `on_person`; whichever of the two they lie
    nearer the mix with): the old cuff's corner beside the wrist, which the worn garment's coarse mask leaves out,
    and its anti-aliased edge stayed as a dark speck by the hand."""
    bared = bared.astype(bool)
    seen = skin.astype(bool)
    if bared.sum() < MIN_COLOUR_PIXELS:
        return np.zeros_like(bared)
    side = 2 * max(1, round(REMNANT_REACH * max(image.shape[:2]))) + 1
    near = (cv2.dilate(bared.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))) > 0)
    near &= ~worn.astype(bool) & ~seen & on_person
    if not near.any():
        return near

    def lab(where: np.ndarray, step: int = 1) -> np.ndarray:  # on every `step`th row and column
        return cv2.cvtColor(image[::step, ::step][where[::step, ::step]][:, None], cv2.COLOR_RGB2LAB)[:, 0].astype(
            np.float32)

    # The backdrop and the skin are even: a sample of them tells their colour.
    others = [np.median(colours, axis=0) for where in (~on_person, seen)
              if len(colours := lab(where, REMNANT_SAMPLE)) >= MIN_COLOUR_PIXELS]
    if not others:
        return np.zeros_like(bared)
    colours, sleeve = lab(near), np.median(lab(bared), axis=0)
    share, residual = [], []
    for other in others:  # where each pixel lies along the mix from the sleeve's colour (0) to the other's (1)
        span = other - sleeve
        t = np.clip((colours - sleeve) @ span / max(float(span @ span), 1e-6), 0.0, 1.0)
        share.append(t)
        residual.append(np.linalg.norm(colours - (sleeve + t[:, None] * span), axis=1))
    mix = np.take_along_axis(np.array(share), np.argmin(residual, axis=0)[None], axis=0)[0]
    found = np.zeros_like(near)
    found[near] = mix <= 1.0 - REMNANT_SHARE
    return found


def under_garment(paint: np.ndarray, edge: np.ndarray, bared: np.ndarray, on_person: np.ndarray) -> np.ndarray:
    """bool HxW: what lies under the new garment's side behind a bared arm (`bared`): the gaps narrower than
    BEHIND_GAP of the longer side between the arm and the garment (`paint`) beside it, on the person, and the
    garment's anti-aliased `edge` there (through which what lies under it shows: the arm it hangs behind)."""
    if not bared.any():
        return np.zeros(paint.shape[:2], bool)
    side = 2 * max(1, round(BEHIND_GAP * max(paint.shape[:2]) / 2)) + 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    both = ((paint > 0) | bared).astype(np.uint8)
    closed = cv2.morphologyEx(both, cv2.MORPH_CLOSE, disc) > 0
    # Across the gap from the arm: the garment's own notches, away from it, are not the arm's.
    near = cv2.dilate(bared.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * side + 1,) * 2)) > 0
    return np.asarray((closed & near & (both == 0) & on_person) | (edge & near))


def behind_arms(person: np.ndarray, bared: np.ndarray, shoulder_width: float) -> np.ndarray:
    """bool HxW: the gaps narrower than ARM_BODY_GAP shoulder widths between a bared arm (`bared`) and the rest of
    the `person` (a mask, > 0.5 on it), off the person: room for the new garment's side, which hangs behind the arm."""
    if not bared.any():
        return np.zeros(bared.shape, bool)
    height, width = bared.shape
    small = (max(1, width // BEHIND_SHRINK), max(1, height // BEHIND_SHRINK))
    on = person > 0.5
    both = cv2.resize((on | bared).astype(np.uint8), small, interpolation=cv2.INTER_AREA)
    side = max(3, round(ARM_BODY_GAP * shoulder_width / BEHIND_SHRINK) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    closed = cv2.morphologyEx(both, cv2.MORPH_CLOSE, disc)
    # Across the gap from the arm, up to the body on its other side.
    near = cv2.dilate(cv2.resize(bared.astype(np.uint8), small, interpolation=cv2.INTER_AREA),
                      cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * side + 1,) * 2))
    found = ((closed > 0) & (near > 0)).astype(np.float32)
    gaps = cv2.resize(found, (width, height), interpolation=cv2.INTER_LINEAR) > 0.5
    return np.asarray(gaps & ~on)


def hand_tone(person: np.ndarray, skin: np.ndarray, arms: Arms) -> tuple[np.ndarray, np.ndarray] | None:
    """float32 HxWx3 and float32 HxW: the median colour of each arm's visible hand (the `skin` past its wrist, within
    the arm's outline there), and how much of it a bared arm takes at each pixel: all at the wrist, fading over
    HAND_REACH of the arm's length from it; None when no hand shows. A forearm's skin is the hand's own (neither is
    made up, both face the same light), and an arm sleeved to the wrist took the body's tone (legs, neck) whole: a
    tan strip, yellower and darker than the hand below it."""
    height, width = person.shape[:2]
    # Smooth over the arm: worked out on a grid of HAND_STEP px cells (whole, ~10 ms of a try-on) and brought up.
    small = (max(1, width // HAND_STEP), max(1, height // HAND_STEP))
    ys, xs = (np.mgrid[:small[1], :small[0]].astype(np.float32) + 0.5) * np.float32(HAND_STEP) - 0.5
    total = np.zeros((*ys.shape, 3), np.float32)
    weight = np.zeros(ys.shape, np.float32)
    for arm in arms.arms:
        if len(arm.joints) < len(SWELLS) + 2:  # the pose sees no hand past the wrist
            continue
        wrist, end = arm.joints[len(SWELLS)], arm.joints[len(SWELLS) + 1]
        canvas = np.zeros((height, width), np.uint8)
        _fill_hull(canvas, [_circle(wrist, float(arm.radii[len(SWELLS)])), _circle(end, float(arm.radii[-1]))])
        hand = skin.astype(bool) & (canvas > 0) & _past(wrist, end - wrist, (height, width)) & arms.on_person
        if hand.sum() < MIN_COLOUR_PIXELS:
            continue
        length = float(np.linalg.norm(np.diff(arm.joints[:len(SWELLS) + 1], axis=0), axis=1).sum())
        away = np.hypot(xs - float(wrist[0]), ys - float(wrist[1]))
        near = np.exp(-away / max(HAND_REACH * length, 1.0))
        total += near[..., None] * np.median(person[hand], axis=0).astype(np.float32)
        weight += near
    if not weight.any():
        return None
    # Between two hands (the chest) each counts by its nearness; the share of either is the nearer's.
    colour = cv2.resize(total / np.maximum(weight, 1e-6)[..., None], (width, height), interpolation=cv2.INTER_LINEAR)
    share = cv2.resize(np.minimum(weight, 1.0), (width, height), interpolation=cv2.INTER_LINEAR)
    return np.asarray(colour, np.float32), np.asarray(share, np.float32)
