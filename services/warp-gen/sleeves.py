"""Sleeves laid down the arms: on an arm held near the body a sleeve is warped on its own, by a spline through
its quadrilateral (and its edges at the elbow), over the garment's body that the fit's main spline warps.
Pure numpy/OpenCV."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from fittingroom.common.images import joining, mask_box
from fittingroom.warp_gen.polyline import along, chain_length
from fittingroom.warp_gen.texture import TEXTURE_RIM_PX, extend_texture
from fittingroom.warp_gen.tps import fit_tps, remap, sampling_maps

# A short sleeve on an upper arm within SLEEVE_DOWN degrees of the body's axis is warped on its own down the arm
# (`SleeveFit`): bent with the garment's body and pinned at its cuff, it kept its photo's outward slant beside
# the arm, and the person mask cut it away (a tee looked sleeveless). Held out farther (a hand on the hip) the
# spline still takes a short sleeve. A sleeve past the elbow is laid on its own whatever the arm does: the
# spline, pinned at its shoulder and cuff alone, laid it straight from the shoulder to the wrist, so on an arm
# held out and bent (07966's hand on the hip: 41 degrees out, 90 at the elbow) it lay behind the forearm and the
# forearm showed bare. SLEEVE_END_SHARE: how far out along the sleeve's axis its end's width is measured on the
# photo (its last part holds the cuff's centroid); MIN_SLEEVE_END: of the shoulder width, the narrowest a worn
# sleeve's end is (an arm is inside it).
SLEEVE_DOWN = 30.0
SLEEVE_END_SHARE = 0.9
MIN_SLEEVE_END = 0.22
# Across a bent elbow a sleeve's edges meet in a mitre, half its width over the cosine of half the bend out from
# the elbow (at half its width a sleeve round a right-angled elbow narrowed to 0.7 of itself there), at most this
# many half widths (the cosine's inverse grows without bound as an arm folds: at 150 degrees nearly four).
MOST_MITRE = 2.0
# Of the upper arm: how far down it a sleeve past the elbow has its underarm at most. Its underside runs its own
# length back up the arm from its end (on the development photos to 0.10-0.48 of the upper arm); a shorter sleeve
# (three-quarter) or one slanting out on its photo (a drawn shirt's), on an arm held out to a hand on the hip, had
# it at the elbow, and the upper arm's part was no quadrilateral.
UNDERARM_REACH = 0.5
# px on the product photo: the sleeve's rim and the backdrop just past it (sampled at its edge) that take its colours
SLEEVE_RIM_REACH = 2 * (TEXTURE_RIM_PX + 1) + 1
# Of a sleeve's root (shoulder point to armpit) on its photo: how near its armpit the backdrop its mask takes in
# at the armpit's notch lies (on the development photos 5.8-7.8 px from it, 0.05-0.07 of the root). Farther out,
# at the cuff, a thin trim of the backdrop's colour is the sleeve's own.
ARMPIT_NOTCH = 0.15
# A sleeve past a bent elbow (six points, `SleeveFit`) in two parts: its points down the upper arm (shoulder
# point, elbow's outer and inner edge, underarm) and down the forearm (elbow's edges, end's corners), in the
# order of the whole sleeve's four.
UPPER_PART = np.array([0, 4, 5, 3])
FOREARM_PART = np.array([4, 1, 2, 5])
# Of the shoulder width: how far from the arm's bone its edge on the person mask may lie for a sleeve to reach out
# to it. BlazePose's bone runs off the arm's middle and an arm can be wider than the sleeve's photo carried to the
# body (a slim tee's sleeve on a plus-size shopper's forearm): laid its own width across the bone (MIN_SLEEVE_END
# at least, 0.11 to each side), a long sleeve left a strip of skin beside it down the forearm (07966's hand on the
# hip, her hanging arm's outer edge; 051482's arm holding a bag). On drawn long-sleeved tees on the development
# shoppers the arms' edges lay 0.01-0.19 shoulder widths from the bone; past 0.2 the mask runs on into the torso,
# a bag or the other arm, and the sleeve keeps its own width on that side.
ARM_EDGE_REACH = 0.2
# Of a sleeve on its photo: the share of it outward of its top edge (`full_sleeve`) past which it stands off the arm by
# its own volume, and its cap is kept wherever it lies (`sleeve_caps`). A tee's cap rounds out past that edge over the
# shoulder (0.03-0.20 on the development tees, drawn and photographed); the tiered ruffles of a blouse's long sleeves
# flare out down their whole length (0.27-0.29).
FULL_SHARE = 0.24


@dataclass(frozen=True)
class SleeveFit:
    """A sleeve warped apart from the garment's body (`warp_garment`): its quadrilateral (shoulder point,
    end's outer corner, end's inner corner, underarm), then, for a sleeve past a bent elbow, its outer and
    inner edge at the elbow, on the garment photo (`source`) and on the body (`target`)."""

    side: str  # "left" or "right", the wearer's
    source: np.ndarray  # [4 or 6, 2] in the garment photo
    target: np.ndarray  # [4 or 6, 2] in the person photo
    full: bool = False  # standing off the arm by its own volume (`full_sleeve`): a puffed or ruffled sleeve

    def outline(self) -> np.ndarray:
        """The sleeve worn, as a polygon round its edge (through the elbow's edge points when it has them)."""
        seam, outer, inner, underarm = self.target[:4]
        if len(self.target) == 4:
            return np.array([seam, outer, inner, underarm])
        elbow_outer, elbow_inner = self.target[4:6]
        return np.array([seam, elbow_outer, outer, inner, elbow_inner, underarm])


def _half_width(silhouette: np.ndarray, centre: np.ndarray, across: np.ndarray, most: int | None = None
                ) -> tuple[float, float]:
    """How far the silhouette reaches from `centre` along `across` and against it, in one run each way (looked
    for up to `most` px: past that, `most`)."""
    height, width = silhouette.shape[:2]
    reach = []
    for direction in (across, -across):
        steps = 0
        for step in range(1, (height + width if most is None else most + 1)):
            x, y = np.round(centre + direction * step).astype(int)
            if not (0 <= x < width and 0 <= y < height) or silhouette[y, x] == 0:
                break
            steps = step
        reach.append(float(steps))
    return reach[0], reach[1]


def _arm_edges(person: np.ndarray | None, point: np.ndarray, across: np.ndarray, half: float, reach: float
               ) -> tuple[float, float]:
    """How far a sleeve worn across the arm at `point` reaches along `across` and against it: `half`, or out to the
    arm's edge on the `person` mask where that lies farther but within `reach` (ARM_EDGE_REACH): past it the mask
    runs on into something else (the torso beside an arm hanging against it)."""
    if person is None:
        return half, half
    most = int(np.ceil(reach))
    out, back = _half_width(person, point, across, most)
    return (max(half, out) if out < most else half), (max(half, back) if back < most else half)


def sleeve_fit(silhouette: np.ndarray, garment: tuple[np.ndarray, np.ndarray, np.ndarray], seam: np.ndarray,
                chain: list[np.ndarray], outward: np.ndarray, least: float, scale: float,
                person: np.ndarray | None = None, reach: float = 0.0) -> tuple[np.ndarray, np.ndarray] | None:
    """A sleeve's points on the garment photo and on the body (`SleeveFit`), or None where the photo shows no
    sleeve end or the sleeve worn would be turned inside out (an arm raised over the shoulder: the garment's
    spline alone bends that sleeve).

    `garment` is (shoulder point, armpit, cuff) on the photo; `chain` the arm's bone from the shoulder joint to
    the sleeve's end, `outward` away from the body's axis on the hanging arm's side (where the sleeve's top edge
    goes). On the photo the end is measured across the sleeve's axis (root's middle to cuff) a little short of
    the cuff's centroid, where the sleeve still has its full width. Worn, the end lies across the arm, centred
    on the bone and at least `least` wide (an arm is inside it), and the underside runs its own length back up
    the arm's inner side: on a hanging arm a tee's armpit is about level with its hem, hidden behind the arm,
    and the garment's body fills in under it. A sleeve past the elbow has its edges' points there too, as far
    along each edge on the photo as the elbow is along the arm, out to the mitre round the bend, so that it follows
    a bent arm in two parts (`warp_sleeves`), its underarm no farther than UNDERARM_REACH down the upper arm; None
    where either part is not a quadrilateral like its photo's. Where the `person` mask (bool) shows the arm wider
    than that, within `reach` px of the bone (`_arm_edges`), the end's corners and the elbow's edges go out to its
    edges.
    """
    shoulder, armpit, cuff = garment
    axis = cuff - (shoulder + armpit) / 2
    length = float(np.linalg.norm(axis))
    if length < 1e-6:
        return None
    axis /= length
    across = np.array([-axis[1], axis[0]])
    across = across if float((shoulder - armpit) @ across) >= 0 else -across
    centre = (shoulder + armpit) / 2 + axis * SLEEVE_END_SHARE * length
    out, back = _half_width(silhouette > 0, centre, across)
    if min(out, back) < 1:
        return None
    outer, inner = centre + across * out, centre - across * back
    half = max((out + back) / 2 * scale, least / 2)

    # The sleeve's top edge stays on one side of the bone all the way down, the side away from the body along the
    # upper arm: along a forearm folded across the body, away from the body is the other side (the sleeve twisted).
    start = chain[1] - chain[0]
    turn = 1.0 if float(outward @ np.array([-start[1], start[0]])) >= 0 else -1.0

    def across_arm(distance: float) -> tuple[np.ndarray, np.ndarray]:
        """The bone's point `distance` along the chain, and the unit normal there on the sleeve's top side."""
        kept, tangent = along(chain, distance)
        return kept[-1], turn * np.array([-tangent[1], tangent[0]])

    end = chain_length(chain) - (1 - SLEEVE_END_SHARE) * length * scale  # the measured line's place on the arm
    level, normal = across_arm(end)
    upper = float(np.linalg.norm(chain[1] - chain[0]))
    past_elbow = len(chain) > 2 and upper < end
    underarm = max(end - float(np.linalg.norm(inner - armpit)) * scale, 0.0)
    bone, inside = across_arm(min(underarm, UNDERARM_REACH * upper) if past_elbow else underarm)
    source = np.array([shoulder, outer, inner, armpit])
    top, under = _arm_edges(person, level, normal, half, reach)
    placed = np.array([seam, level + normal * top, level - normal * under, bone - inside * half])
    if not past_elbow:  # a quadrilateral, convex on both, not inside out
        return (source, placed) if _like(source, placed) else None
    share = upper / end
    # Across the elbow the mean of the two bones' normals (one bone's alone set the elbow's edges askew), out to
    # the mitre where the edges along the two bones meet.
    elbow, above = across_arm(upper - 1.0)
    bend = above + across_arm(upper + 1.0)[1]
    mitre = min(2 / max(float(np.linalg.norm(bend)), 1e-6), MOST_MITRE) * half
    bend /= max(float(np.linalg.norm(bend)), 1e-6)
    source = np.vstack([source, [shoulder + share * (outer - shoulder), armpit + share * (inner - armpit)]])
    # Along the bisector the arm, as its mitre, is wider than across either bone by the mitre's factor.
    top, under = _arm_edges(person, elbow, bend, mitre, reach * mitre / half)
    placed = np.vstack([placed, [elbow + bend * top, elbow - bend * under]])
    # Warped in two parts (`warp_sleeves`), each is a quadrilateral like its photo's: a whole sleeve round a
    # sharp bend (a hand on the hip) is no quadrilateral.
    parts = all(_like(source[part], placed[part]) for part in (UPPER_PART, FOREARM_PART))
    return (source, placed) if parts else None


def full_sleeve(silhouette: np.ndarray, source: np.ndarray) -> bool:
    """Whether a sleeve on its photo (`silhouette`, its points `source` as `sleeve_fit` gives them) stands off the arm
    by its own volume: more than FULL_SHARE of it lies outward of its top edge (its shoulder point to its end's
    outer corner, or to its elbow's outer edge for a sleeve past the elbow)."""
    quad = source[:4]
    sleeve = (silhouette > 0) & sleeve_region(silhouette.shape[:2], quad)
    corner = source[4] if len(source) > 4 else source[1]
    outward = sleeve & ~_beyond(silhouette.shape[:2], quad[0], corner, quad[2])
    return bool(outward.sum() > FULL_SHARE * max(int(sleeve.sum()), 1))


def _like(source: np.ndarray, placed: np.ndarray) -> bool:
    """Whether two quadrilaterals are both convex and turn the same way (neither is the other inside out)."""
    return (_signed_area(source) * _signed_area(placed) > 0 and cv2.isContourConvex(source.astype(np.float32))
            and cv2.isContourConvex(placed.astype(np.float32)))


def _signed_area(quad: np.ndarray) -> float:
    x, y = quad[:, 0], quad[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2


def half_plane(shape: tuple[int, int], point: np.ndarray, normal: np.ndarray) -> np.ndarray:
    """bool: the pixels past `point` in the direction `normal`."""
    across = (np.arange(shape[1]) - point[0]) * normal[0]  # per column and per row, summed by broadcasting
    down = (np.arange(shape[0]) - point[1]) * normal[1]
    return np.asarray(across[None, :] + down[:, None] > 0)


def _beyond(shape: tuple[int, int], a: np.ndarray, b: np.ndarray, towards: np.ndarray) -> np.ndarray:
    """bool: the pixels on `towards`' side of the line through `a` and `b`."""
    normal = np.array([a[1] - b[1], b[0] - a[0]])
    return half_plane(shape, a, normal if float((towards - a) @ normal) >= 0 else -normal)


def sleeve_region(shape: tuple[int, int], quad: np.ndarray) -> np.ndarray:
    """bool: a sleeve on its garment photo: past its root (shoulder point to armpit) and on the near side of
    its underside (armpit to the end's inner corner), where the garment's body below the armpit is not."""
    shoulder, outer, inner, armpit = quad
    return _beyond(shape, shoulder, armpit, outer) & _beyond(shape, armpit, inner, outer)


def sleeve_caps(sleeves: tuple[SleeveFit, ...], laid: np.ndarray, sides: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """bool HxW each, for the sleeves laid on their own on the wearer's `sides`, but full ones (`full_sleeve`): where
    each lies (`laid`, as `warp_sleeves` has it) outside its outline, its cap (the photo's cap reaches past the
    quadrilateral's top edge, from the shoulder point straight above the armpit); and all that lies outward of its top
    edge (its seam to its elbow's or end's outer corner)."""
    caps, beside = np.zeros(laid.shape, bool), np.zeros(laid.shape, bool)
    for index, sleeve in enumerate(sleeves):
        if sleeve.side not in sides or sleeve.full:
            continue
        outline = sleeve.outline()
        worn = np.zeros(laid.shape, np.uint8)
        cv2.fillPoly(worn, [np.round(outline).astype(np.int32)], 1)
        caps |= (laid == index + 1) & (worn == 0)
        beside |= ~_beyond(laid.shape, outline[0], outline[1], outline[-2])
    return caps, beside


def caps_off_body(paint: np.ndarray, worn: np.ndarray, body: np.ndarray, caps: np.ndarray, beside: np.ndarray
                  ) -> np.ndarray:
    """bool HxW: the pieces of the new garment (`paint`) over the old one (`worn`) off the `body` (the arms' and
    torso's outline under it) and `beside` a laid sleeve's top edge, that hold some of its `caps` (`sleeve_caps`):
    the drape over the cap and the outline's smoothing go with it."""
    loose = (paint > 0) & (worn > 0) & ~(body > 0) & beside
    _, pieces = cv2.connectedComponents(loose.astype(np.uint8), connectivity=8)
    capped = np.unique(pieces[loose & caps])
    return np.isin(pieces, capped[capped > 0]) & loose


def sleeved_arms(sleeves: tuple[SleeveFit, ...], shape: tuple[int, int], laid: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: the arms inside the sleeves laid on their own (`sleeves`), from the underarm
    down to each sleeve's end: a long sleeve covers its forearm, which otherwise stays in front of the garment
    (a hand or forearm held over the body is on top of it) and cut the sleeve off at the elbow. Above the
    underarm the shoulders' skin is told from hair as before.

    `laid` (`WarpedGarment.laid`): where each sleeve's own pixels lie as warped. A sleeve reaches past its
    outline's end corners (its cuff lies beyond them; a hem slanted on its photo hangs lower on one side): the arm
    there, kept in front, cut the hem into a scalloped edge or punched a hole of skin through it."""
    mask = np.zeros(shape, np.uint8)
    for index, sleeve in enumerate(sleeves):
        seam, outer, inner, underarm = sleeve.target[:4]
        worn = np.zeros(shape, np.uint8)
        cv2.fillPoly(worn, [np.round(sleeve.outline()).astype(np.int32)], 1)
        own = laid == index + 1
        # A sleeve past the elbow ends at the wrist: past its cuff the hand stays in front (a flared cuff hid it).
        if len(sleeve.target) > 4:
            cuff, down = cuff_line(sleeve)
            own &= half_plane(shape, cuff, -down)
        worn |= own.astype(np.uint8)
        mask |= worn & half_plane(shape, underarm, (outer + inner) / 2 - seam)
    return mask


def warp_sleeves(product: np.ndarray, mask: np.ndarray, sleeves: tuple[SleeveFit, ...], image: np.ndarray,
                 alpha: np.ndarray, backdrop: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The garment's body as warped (`image`, `alpha` at the person photo's size) with each sleeve laid over
    it, warped by the spline through its points; and where each sleeve lies (uint8: 1 + its index in `sleeves`,
    0 where none is more than half opaque), for `sleeved_arms`.

    `backdrop` (bool, at the product photo's size): the backdrop's colour on the mask's outline (`shallow_backdrop`):
    near a sleeve's armpit (ARMPIT_NOTCH), the tip of the armpit's notch that the mask takes in, where the sleeve
    laid takes its own colours, mirrored from inside it."""
    shape = alpha.shape[:2]
    laid = np.zeros(shape, np.uint8)
    for index, sleeve_fit in enumerate(sleeves):
        sleeve_maps = _sleeve_maps(sleeve_fit, shape)
        sleeve = ((mask > 0) & sleeve_region(mask.shape[:2], sleeve_fit.source[:4])).astype(np.float32)
        # Nothing of a sleeve rises above its shoulder point along the arm: a cap's curve, bent down the arm,
        # stood up as a hump on the shoulder.
        seam, outer, inner, _ = sleeve_fit.target[:4]
        below_seam = half_plane(shape, seam, (outer + inner) / 2 - seam)
        over = np.clip(remap(sleeve, sleeve_maps, border=0.0), 0.0, 1.0) * below_seam
        # Laid over the body, the sleeve's rim on its photo (a blend with the backdrop) drew a pale line across
        # the garment where the sleeve's hem and top lie: it takes the sleeve's own colours, mirrored from inside;
        # so does the backdrop its mask takes in at the armpit (from the sleeve alone: the garment's side across
        # the notch is another colour on a two-tone tee).
        near = cv2.dilate(sleeve.astype(np.uint8), np.ones((SLEEVE_RIM_REACH, SLEEVE_RIM_REACH), np.uint8)) > 0
        taken_in = _armpit_notch(backdrop, sleeve_fit.source[:4])
        texture = remap(extend_texture(product, sleeve > 0, near, taken_in), sleeve_maps, border=(0, 0, 0))
        # Blended where the sleeve lies alone (`mask_box`): off it the body's pixels stay as they are.
        box = mask_box(over > 0)
        lying = over[box][..., None]
        image, alpha = image.astype(np.uint8), alpha.astype(np.result_type(over, alpha))
        image[box] = (texture[box] * lying + image[box] * (1 - lying)).round().astype(np.uint8)
        alpha[box] = over[box] + alpha[box] * (1 - over[box])
        laid[over > 0.5] = index + 1
    return image, alpha, laid


def body_texture(product: np.ndarray, mask: np.ndarray, body: np.ndarray, sleeves: tuple[SleeveFit, ...],
                 backdrop: np.ndarray) -> np.ndarray:
    """The product photo with the backdrop its mask takes in at each laid sleeve's armpit (`_armpit_notch`) taken
    from the garment's `body` beside it (`without_sleeves`), mirrored from inside, as the sleeve's own is
    (`warp_sleeves`): the body's spline carried that notch's tip onto the torso, where no sleeve lies over it once the
    sleeve is laid down the arm, as a white speck beside the armpit."""
    notch = np.zeros(mask.shape[:2], bool)
    for sleeve_fit in sleeves:
        notch |= _armpit_notch(backdrop, sleeve_fit.source[:4])
    notch &= mask > 0
    if not notch.any():
        return product
    return extend_texture(product, body > 0.5, notch, notch)


def _sleeve_maps(sleeve: SleeveFit, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Where on the garment photo each pixel of the person photo takes a sleeve from: a spline through its four
    pairs, exact on the corners and nearly affine past them (a perspective map through the same corners flung
    the sleeve's cap and hem far down the arm). A sleeve past a bent elbow takes the upper arm's part on the
    shoulder's side of the line across the elbow and the forearm's past it: one spline through all six pairs
    bulged both parts out round a sharp bend, and flung a flared cuff past the hand on the hip across the belly
    (07966)."""
    if len(sleeve.target) == 4:
        return sampling_maps(fit_tps(sleeve.target, sleeve.source), shape)
    upper = sampling_maps(fit_tps(sleeve.target[UPPER_PART], sleeve.source[UPPER_PART]), shape)
    forearm = sampling_maps(fit_tps(sleeve.target[FOREARM_PART], sleeve.source[FOREARM_PART]), shape)
    elbow_outer, elbow_inner = sleeve.target[4:6]
    past = _beyond(shape, elbow_outer, elbow_inner, (sleeve.target[1] + sleeve.target[2]) / 2)
    return np.where(past, forearm[0], upper[0]), np.where(past, forearm[1], upper[1])


def _armpit_notch(backdrop: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """bool: the pieces of the `backdrop` that reach near a sleeve's armpit on its photo (within ARMPIT_NOTCH of its
    root's length; `quad` as in `sleeve_region`), with their anti-aliased rim, as wide as the outline's (one px of rim
    left a pale px at the armpit)."""
    shoulder, _, _, armpit = quad
    near = np.zeros(backdrop.shape[:2], np.uint8)
    reach = ARMPIT_NOTCH * float(np.linalg.norm(shoulder - armpit))
    x, y = np.round(armpit).astype(int)
    cv2.circle(near, (int(x), int(y)), max(1, round(reach)), 1, -1)
    # The whole piece of backdrop the reach touches: where the mask closes the narrow top of the slit between a long
    # sleeve hanging close and the body, the armpit is read where the slit opens (80 px of 1024 low on a drawn tee),
    # and the slit's tip above it, out of the reach, went onto the torso as a white speck by each armpit.
    notch = joining(backdrop > 0, (backdrop > 0) & (near > 0)) > 0
    return np.asarray(cv2.dilate(notch.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=TEXTURE_RIM_PX) > 0)


def above_armpit(shape: tuple[int, int], quad: np.ndarray) -> np.ndarray:
    """bool: past a sleeve's root (shoulder point to armpit) and above its armpit (across the root there): on
    a garment photo only sleeve lies there, the body's side being below the armpit; a flared or ruffled
    cuff's corner below the underside line (`sleeve_region`) included."""
    shoulder, outer, _, armpit = quad
    return _beyond(shape, shoulder, armpit, outer) & half_plane(shape, armpit, shoulder - armpit)


def without_sleeves(mask: np.ndarray, sleeves: tuple[SleeveFit, ...]) -> np.ndarray:
    """float32: the product's mask less the sleeves laid on their own (the garment's body the spline warps).

    All of a sleeve goes, its cuff's corner below the underside line too: left in the body, the body's spline
    flung it out beside the arm as a stray strip (the sleeve it belongs to is laid down the arm)."""
    body = mask.astype(np.float32)
    for sleeve_fit in sleeves:
        quad = sleeve_fit.source[:4]
        body[sleeve_region(mask.shape[:2], quad) | above_armpit(mask.shape[:2], quad)] = 0.0
    return body


def cuff_line(sleeve: SleeveFit) -> tuple[np.ndarray, np.ndarray]:
    """Where a sleeve laid on its own ends on the body: the middle of its cuff, and the unit direction down the arm
    across it. Its end's corners are placed SLEEVE_END_SHARE of the way to its cuff (`sleeve_fit`): the cuff lies
    the rest of the way on."""
    seam, outer, inner = sleeve.target[:3]
    across = outer - inner
    normal = np.array([-across[1], across[0]]) / max(float(np.linalg.norm(across)), 1e-6)
    middle = (outer + inner) / 2
    normal = normal if float((middle - seam) @ normal) >= 0 else -normal
    past = (1 - SLEEVE_END_SHARE) / SLEEVE_END_SHARE * float((middle - seam) @ normal)
    return middle + past * normal, normal


def sleeve_ends(sleeves: tuple[SleeveFit, ...], names: tuple[str, ...], targets: np.ndarray
                ) -> tuple[tuple[np.ndarray, np.ndarray | None] | None, ...]:
    """Per arm (the wearer's left, then right): where a new garment stops covering it, as a point on the line
    across the arm there and the direction down the arm past it (None: the arm's own direction there), for
    `Arms.bared`. A sleeve laid on its own ends a little past its end's corners (at its cuff); a sleeve the
    spline bends, at its cuff's target; a garment with no sleeve on that side, at its armpit's (below it the arm
    hangs in front of the garment's side). None where the fit places none of these (`names`, `targets`: the
    fit's landmarks on the body).
    """
    placed = dict(zip(names, targets, strict=True))
    ends: list[tuple[np.ndarray, np.ndarray | None] | None] = []
    for side in ("left", "right"):
        laid = [s for s in sleeves if s.side == side]
        if laid:
            ends.append(cuff_line(laid[0]))
        elif f"{side}_cuff" in placed:
            ends.append((np.asarray(placed[f"{side}_cuff"], np.float64), None))
        elif f"{side}_armpit" in placed:
            ends.append((np.asarray(placed[f"{side}_armpit"], np.float64), None))
        else:
            ends.append(None)
    return tuple(ends)
