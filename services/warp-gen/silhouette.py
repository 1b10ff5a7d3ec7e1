"""Whether the new garment has the worn one's shape, and its texture dressed into the worn garment's silhouette.

When the shopper's own garment has the new one's shape (the same sleeve length, a similar neckline and
hem), the most real try-on keeps everything the photo shows of it (its outline against the arms, hair
and hands, its folds and light) and changes only the cloth: the new garment's texture, warped to the body,
is spread to fill exactly the old garment's silhouette, its outline rounded off where the photo shows the
backdrop or bare skin beyond it. Where the shapes differ, the caller keeps the warp-to-body path and repaints
what the new garment leaves uncovered. A collar is a difference of shape too (`collar_stand`): dressed into a
collarless outline, a polo lost its collar. Pure numpy/OpenCV.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose, body_frame
from fittingroom.common.garment import Category, Point
from fittingroom.warp_gen.dress import smooth_outline
from fittingroom.warp_gen.fit import WarpedGarment, below_hem
from fittingroom.warp_gen.neck_opening import LABEL_RIM_PX, back_label, neck_top, seen_through_neck

# Same shape within these: sleeve and trouser-leg length in shoulder widths (a cap sleeve against none, a
# short sleeve against an elbow-length one differ by more), the neckline as a share of the torso, and how
# much of the two silhouettes overlaps (intersection over union). Only a new hem *above* the old one counts
# (a crop top over a shirt bares what the old one covered); a longer new garment goes on past the old hem.
SLEEVE_TOLERANCE = 0.2
NECK_TOLERANCE = 0.1
HEM_TOLERANCE = 0.1
MIN_OVERLAP = 0.55
NARROWER_LEGS = 0.15  # share of the worn lower garment the new one leaves uncovered: a narrower cut
LIMB_STEP = 0.05  # of the shoulder width: spacing of the points along a limb where sleeves are checked
# A sleeve starts this far down the upper arm: at the shoulder joint a strap or a shoulder seam covers it
# whether or not the garment has sleeves.
SLEEVE_START = 0.25
# Of the shoulder width: sleeves are read this far out from the arm's bone, on its outer side, which the
# torso of a garment never reaches even where an arm hangs against it; and a mask this near a point covers
# it (both masks are grown alike, so lengths compare unchanged).
ARM_OUTSET = 0.07
REACH = 0.03
CENTRE_BAND = 0.2  # of the shoulder width, each side of the body's midline: where neckline and hem are read
EDGE_SHARE = 0.02  # the extreme share of a mask's midline pixels ignored when reading its top and bottom
RIM = 0.06  # of the shoulder width: the worn garment's rim the new one covers where it reaches
HEM_OVERLAP = 0.05  # of the torso: the new garment below the old hem overlaps it this much, so no gap shows
# The worn outline is GrabCut's, solved at a fraction of the size and grown pixel by pixel in the garment's
# colours: against the backdrop and bare skin its staircase is rounded off (`dress.smooth_outline`) within
# this share of the longer side of them (6 px at 512), growing by at most this many px (never across a gap).
ROUND_REACH = 0.012
ROUND_GROWTH_PX = 2
# A trouser leg's hem: where, down from the knee, the silhouette across the leg (read within LEG_SPAN shoulder
# widths of its bone) narrows to under HEM_NARROWING of its width just above. Below it the mask's strip is a
# shaded ankle or the new trousers' cuff by the old hem, not a trouser leg.
LEG_SPAN = 0.35
HEM_NARROWING = 0.5
HEM_ABOVE = 3  # samples: "just above"
# A worn camisole's thin straps (`segment.worn_garment.straps`) are too thin for its mask, so its outline has none.
# The new garment hangs from them too where, as warped (its straps put on the shoulders' tops by the fit, shorter
# than the photo's straps that run on over them), it reaches within RIM of a strap at least STRAP_ALONG of the
# strap's height up from its foot: a strappy top's straps reached half way up the old ones on the development
# photos. Those are dressed in the new texture, along the old ones' path over the shoulders; the others (a
# strapless or a bandeau top) are repainted from the skin beside them. Left as they were, a yellow camisole
# dressed into a black one's outline showed the old black straps and none of its own.
STRAP_ALONG = 0.3
# A top's own neckline or top edge lower than the worn outline's goes up to it (`texture.extend_texture`'s `top_reach`),
# read within NECKLINE_SPAN of the shoulder width each side of the shoulders' midpoint (a camisole's top edge runs from
# armpit to armpit; beside the torso a column's top is an arm's edge, not the garment's), its edge at most TOP_EDGE_BAND
# of the shoulder width (the Vans tee's rib: 6 px on a 159 px shoulder width). A yellow camisole's V reached 25 px below
# a black one's straight top, the Vans tee's front rib 12 to 19 px below the worn tee's inside back: mirrored up from
# inside, the camisole's frilled edge showed as a pale zigzag band, the rib twice its width under a lilac band.
# Repainted as skin instead, the strip came out a flat patch squared off at its ends; stretched up, a print bent and
# broke between stretched and unstretched columns.
NECKLINE_SPAN = 0.5
TOP_EDGE_BAND = 0.05

# A collar, read on the silhouette's top edge across the shoulders (shares of the shoulder width from their
# midpoint): each shoulder seam's line, fitted within SEAM_SPAN, is carried in to the side of the neck (NECK_SIDE)
# and compared with the top edge at the back of the neck (within COLLAR_SPAN). Read between the garment's own
# shoulder points (in its photo, or where its fit put them on a body: the same shares either way), a crew, V or
# scoop neck's back lies below that line or on it (catalogue tees, blouses and dresses: 0.15 below to 0.0); a
# polo's collar stands 0.09 to 0.1 above it. The back of the neck stands above the shoulders' own line by
# COLLAR_RISE at least where there is a collar (a camisole's neckline, below it, can curve up like one).
PROFILE_SPAN = 0.5
PROFILE_SAMPLES = 41
PROFILE_REACH = 0.8  # up and down from the shoulders' line: where the top edge is looked for
SEAM_SPAN = (0.3, 0.45)
NECK_SIDE = 0.2
COLLAR_SPAN = 0.1
COLLAR_RISE = 0.1
COLLAR_STAND = 0.05  # above the seams' line: a collar


@dataclass(frozen=True)
class ShapeComparison:
    """How the worn garment's shape differs from the new one's (as warped onto the same body)."""

    sleeve: float  # largest difference of a sleeve's (or trouser leg's) length, in shoulder widths
    neck: float  # neckline (top of the midline) difference, share of the torso
    hem: float  # how far the new hem ends above the old one (0 when at or below it), share of the torso
    overlap: float  # intersection over union of the two silhouettes
    # The new garment has a collar standing round the neck and the worn one none: dressed into the worn outline,
    # the new garment took its neckline, a polo came out a collarless tee.
    collar: bool = False
    # Lower garments: the new one's legs leave more than NARROWER_LEGS of the worn one's uncovered (skinny jeans on
    # wide trousers). Dressed into the worn outline, the new garment took the old cut: wide jeans, their texture
    # mirrored out to the wide legs' edges.
    narrower: bool = False

    @property
    def matches(self) -> bool:
        return (self.sleeve <= SLEEVE_TOLERANCE and self.neck <= NECK_TOLERANCE and self.hem <= HEM_TOLERANCE
                and self.overlap >= MIN_OVERLAP and not self.collar and not self.narrower)


def _limbs(pose: Pose, category: Category) -> list[list[np.ndarray]]:
    """Each arm (a top or a dress) or leg (a lower garment) the pose sees, from its root down."""
    chains = ((lm.LEFT_SHOULDER, lm.LEFT_ELBOW, lm.LEFT_WRIST), (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
    if category is Category.LOWER:
        chains = ((lm.LEFT_HIP, lm.LEFT_KNEE, lm.LEFT_ANKLE), (lm.RIGHT_HIP, lm.RIGHT_KNEE, lm.RIGHT_ANKLE))
    limbs = [[pose.point(i) for i in itertools.takewhile(pose.sees, chain)] for chain in chains]
    return [limb for limb in limbs if len(limb) >= 2]


def _samples(limb: list[np.ndarray], start: float, step: float) -> np.ndarray:
    """Points `step` px apart along the polyline, from `start` of its first segment's length on."""
    lengths = [float(np.linalg.norm(b - a)) for a, b in itertools.pairwise(limb)]
    total = sum(lengths)
    at = np.arange(start * lengths[0], total, max(step, 1.0))
    cumulative = np.concatenate([[0.0], np.cumsum(lengths)])
    points = []
    for distance in at:
        index = min(int(np.searchsorted(cumulative, distance, side="right")) - 1, len(lengths) - 1)
        share = (distance - cumulative[index]) / max(lengths[index], 1e-6)
        points.append(limb[index] + share * (limb[index + 1] - limb[index]))
    return np.array(points)


def _reach(mask: np.ndarray, points: np.ndarray) -> int:
    """How many of the samples, from the first on, the mask covers without a gap (a sleeve's length)."""
    h, w = mask.shape
    xs = np.clip(np.round(points[:, 0]).astype(int), 0, w - 1)
    ys = np.clip(np.round(points[:, 1]).astype(int), 0, h - 1)
    covered = mask[ys, xs] > 0
    gaps = np.flatnonzero(~covered)
    return int(gaps[0]) if gaps.size else len(covered)


def _midline_extent(mask: np.ndarray, origin: np.ndarray, across: np.ndarray, down: np.ndarray,
                    band: float) -> tuple[float, float] | None:
    """(top, bottom) of the mask along the body's `down` axis, within `band` px of its midline."""
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        return None
    offset = np.stack([xs - origin[0], ys - origin[1]], axis=1)
    along, beside = offset @ down, offset @ across
    along = along[np.abs(beside) <= band]
    if along.size < 10:
        return None
    return float(np.quantile(along, EDGE_SHARE)), float(np.quantile(along, 1 - EDGE_SHARE))


def _top_profile(mask: np.ndarray, right_shoulder: Point | np.ndarray, left_shoulder: Point | np.ndarray,
                 offsets: np.ndarray) -> np.ndarray:
    """Height of the mask's top edge above the line through the shoulders, in shoulder widths, at each of
    `offsets` (shoulder widths across from their midpoint); NaN where none.

    Read along the perpendicular to the shoulders' line, so a garment warped onto a leaning body reads as
    one upright in its photo."""
    right, left = np.asarray(right_shoulder, np.float64), np.asarray(left_shoulder, np.float64)
    width = max(float(np.linalg.norm(left - right)), 1.0)
    across = (left - right) / width
    up = np.array([across[1], -across[0]])
    up = up if up[1] <= 0 else -up  # image y grows downward; the garment stands upright, leaning at most
    heights = np.arange(PROFILE_REACH * width, -PROFILE_REACH * width, -1.0)
    points = ((right + left) / 2)[None, None] + offsets[:, None, None] * width * across \
        + heights[None, :, None] * up
    xs, ys = np.round(points[..., 0]).astype(int), np.round(points[..., 1]).astype(int)
    inside = (xs >= 0) & (xs < mask.shape[1]) & (ys >= 0) & (ys < mask.shape[0])
    hit = np.zeros(xs.shape, bool)
    hit[inside] = mask[ys[inside], xs[inside]] > 0.5  # a warped mask's soft rim counts from half
    first = hit.argmax(axis=1)  # from the top down: the first sample on the garment
    return np.where(hit.any(axis=1), heights[first] / width, np.nan)


def collar_stand(mask: np.ndarray, right_shoulder: Point | np.ndarray, left_shoulder: Point | np.ndarray) -> float:
    """How far a collar stands up round the neck, in shoulder widths: the height of the silhouette's top edge at
    the back of the neck (within COLLAR_SPAN of the midpoint between the shoulders) above each shoulder seam's
    line carried in to the side of the neck (NECK_SIDE), the lower of the two sides; 0 where the back of the
    neck stands less than COLLAR_RISE above the shoulders' line (a V, a scoop or a camisole's neckline, where no
    back shows, curves up towards its middle like a collar's sides).

    A crew or V neck's back neckline dips between the seams' inner ends, below their line; a collar stands
    above it, its sides rising steeply from the seams. Read on the silhouette's shape alone (a product photo's
    or the garment as warped onto a body, given the shoulders there), so the collar's colour does not matter:
    the inside of the back seen through a neck opening is a colour too.
    """
    offsets = np.linspace(-PROFILE_SPAN, PROFILE_SPAN, PROFILE_SAMPLES)
    heights = _top_profile(mask, right_shoulder, left_shoulder, offsets)
    back = heights[np.abs(offsets) <= COLLAR_SPAN]
    if np.isnan(back).all():
        return 0.0
    top = float(np.nanmedian(back))
    if top < COLLAR_RISE:
        return 0.0
    stands = []
    for side in (-1.0, 1.0):
        on_seam = (side * offsets >= SEAM_SPAN[0]) & (side * offsets <= SEAM_SPAN[1]) & ~np.isnan(heights)
        if np.count_nonzero(on_seam) < 3:
            return 0.0
        slope, intercept = np.polyfit(np.abs(offsets[on_seam]), heights[on_seam], 1)
        stands.append(top - (slope * NECK_SIDE + intercept))
    return max(0.0, min(stands))


def has_collar(mask: np.ndarray, right_shoulder: Point | np.ndarray, left_shoulder: Point | np.ndarray) -> bool:
    """Whether the garment whose silhouette is `mask` has a collar standing round the neck (`collar_stand`)."""
    return collar_stand(mask, right_shoulder, left_shoulder) >= COLLAR_STAND


def _collar_added(worn: np.ndarray, warped: WarpedGarment) -> bool:
    """Whether the `warped` garment has a collar and the `worn` one none, both read between the shoulder points
    the fit put the new garment's on (a top's or a dress's fit has them)."""
    names = list(warped.fit.names)
    if "right_shoulder" not in names or "left_shoulder" not in names:
        return False
    right, left = warped.fit.target[names.index("right_shoulder")], warped.fit.target[names.index("left_shoulder")]
    return has_collar(warped.alpha, right, left) and not has_collar(worn, right, left)


def compare_shapes(worn: np.ndarray, garment: np.ndarray, pose: Pose, category: Category,
                   sleeves: np.ndarray | None = None, warped: WarpedGarment | None = None) -> ShapeComparison:
    """How far the worn garment's silhouette (`worn`) is from the new one's (`garment`, warped onto the same
    body and cut to the person), sleeve by sleeve, at the neckline, at the hem, and overall. The sleeves' reach
    is read on `sleeves` where given: the new garment on the person with no arm in front of it (a long sleeve
    on a forearm that stays in front of the body is still a long sleeve, not the old short one). Whether the new
    garment has a collar is read on `warped` where given: the garment as warped, nothing in front cut out of it
    (the head and the neck in front hide the collar's back)."""
    frame = body_frame(pose)
    collar = warped is not None and category is not Category.LOWER and _collar_added(worn, warped)
    worn_bin, garment_bin = worn > 0, garment > 0
    # Past the old hem a longer garment hangs on (`hem` counts only a shorter one): what it covers there, as long
    # or as broad over the hips as it is, is no difference of shape.
    origin = (frame.left_shoulder + frame.right_shoulder) / 2
    past_hem = below_hem(worn_bin, origin, frame.down)
    union = int(np.count_nonzero(worn_bin | (garment_bin & ~past_hem)))
    overlap = int(np.count_nonzero(worn_bin & garment_bin)) / max(union, 1)
    left_out = int(np.count_nonzero(worn_bin & ~garment_bin)) / max(int(np.count_nonzero(worn_bin)), 1)
    narrower = category is Category.LOWER and left_out > NARROWER_LEGS
    reach = max(1, round(REACH * frame.shoulder_width))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * reach + 1, 2 * reach + 1))
    worn_near = cv2.dilate(worn_bin.astype(np.uint8), kernel)
    garment_near = cv2.dilate((garment_bin if sleeves is None else sleeves > 0).astype(np.uint8), kernel)
    start, outset = (0.0, 0.0) if category is Category.LOWER else (SLEEVE_START, ARM_OUTSET)
    step = LIMB_STEP * frame.shoulder_width
    limbs = [_samples(limb, start, step) + frame.across * np.sign((limb[0] - origin) @ frame.across) * outset
             * frame.shoulder_width for limb in _limbs(pose, category)]
    sleeve = max((abs(_reach(worn_near, points) - _reach(garment_near, points)) * LIMB_STEP
                  for points in limbs if len(points)), default=0.0)
    band = CENTRE_BAND * frame.shoulder_width
    worn_extent = _midline_extent(worn_bin, origin, frame.across, frame.down, band)
    garment_extent = _midline_extent(garment_bin, origin, frame.across, frame.down, band)
    if worn_extent is None or garment_extent is None:
        return ShapeComparison(sleeve=sleeve, neck=1.0, hem=1.0, overlap=overlap, collar=collar, narrower=narrower)
    neck = abs(worn_extent[0] - garment_extent[0]) / frame.torso
    hem = max(0.0, worn_extent[1] - garment_extent[1]) / frame.torso
    return ShapeComparison(sleeve=sleeve, neck=neck, hem=hem, overlap=overlap, collar=collar, narrower=narrower)


def inner_back(garment: np.ndarray, image: np.ndarray, pose: Pose, category: Category, alpha: np.ndarray
               ) -> np.ndarray:
    """bool HxW: the band of the warped garment (`garment`, its photo `image`) along its top edge round the
    neck (`neck_opening.neck_top`), the label sewn there (`neck_opening.back_label`), and the inside back down
    to the front neckline where it is told apart from the front (`neck_opening.seen_through_neck`, read on the
    garment as warped, `alpha`, before anything in front of it was cut out); none for a lower garment.

    A product photo shows the inside of the garment's back through its neck opening (a darker shade, the
    label). Dressed into the worn garment's own neckline, that band is the front of the new garment: taken
    as its texture, the label showed as a dark speck at the collar, mirrored into a dashed line along it, and
    the grey inside of a white tee as a grey band below the old neckline.
    """
    inside = garment > 0
    if category is Category.LOWER or not inside.any():
        return np.zeros_like(inside)
    # Its anti-aliased rim at the opening's ends goes with it (mirrored from, it left a grey smudge there); grown
    # only sideways: grown down into the front, the mirrored gap reached a print below the neckline.
    ends = np.ones((1, 2 * LABEL_RIM_PX + 1), np.uint8)
    seen = (cv2.dilate(seen_through_neck(image, alpha, pose, category).astype(np.uint8), ends) > 0) & inside
    top = neck_top(inside, pose)
    band = np.zeros_like(inside)
    band[top.box] = top.band
    return band | back_label(image, top) | seen


def dressed_silhouette(worn: np.ndarray, garment: np.ndarray, hanging: np.ndarray, pose: Pose,
                       category: Category, carried: np.ndarray | None = None) -> np.ndarray:
    """uint8 {0, 1}: where the new garment goes when the shapes match: the worn garment's silhouette, with
    its rim (a shoulder tape, a collar's edge the mask missed) where the new garment (`garment`, cut to the
    person) covers it, and below its hem what a longer new garment covers as it hangs (`hanging`: across the
    narrow gaps of the person's silhouette, `fit.hanging_room`; past a trouser leg's hem, within `carried`).

    A tee longer than the one it replaces is not tucked in: past the old hem (read on the body's midline)
    it keeps its own outline, as warped to the body, hanging straight across the gap between the legs (cut
    to the person, it followed the legs down: a romper). Trousers go on past the old legs' hems as far as their
    own legs hang, within the old legs' breadth carried down the shins (`past_hems`): full-length paisley trousers
    dressed into cropped ones' outline, ended at the old hem, lost their dark hem band (the legs' reach compared
    the same down to the ankle joint); cut to the person there, they went on in strips as thin as the ankle.
    """
    frame = body_frame(pose)
    rim = max(1, round(RIM * frame.shoulder_width))
    near = cv2.dilate((worn > 0).astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1,) * 2))
    silhouette = ((worn > 0) | ((near > 0) & (garment > 0))).astype(np.uint8)
    if category is Category.LOWER:
        return silhouette if carried is None else np.asarray(silhouette | ((hanging > 0) & carried), np.uint8)
    origin = (frame.left_shoulder + frame.right_shoulder) / 2
    extent = _midline_extent(worn > 0, origin, frame.across, frame.down, CENTRE_BAND * frame.shoulder_width)
    if extent is None:
        return silhouette
    ys, xs = np.mgrid[:worn.shape[0], :worn.shape[1]]
    along = (xs - origin[0]) * frame.down[0] + (ys - origin[1]) * frame.down[1]
    return np.asarray(silhouette | ((hanging > 0) & (along > extent[1] - HEM_OVERLAP * frame.torso)), np.uint8)


def neckline_reach(shape: tuple[int, ...], pose: Pose, category: Category) -> np.ndarray | None:
    """bool HxW: where a top's or a dress's own top edge is read (within NECKLINE_SPAN of the shoulder width across
    from the shoulders' midpoint); None for a lower garment."""
    if category is Category.LOWER:
        return None
    frame = body_frame(pose)
    origin = (frame.left_shoulder + frame.right_shoulder) / 2
    ys, xs = np.mgrid[:shape[0], :shape[1]]
    beside = (xs - origin[0]) * frame.across[0] + (ys - origin[1]) * frame.across[1]
    return np.asarray(np.abs(beside) <= NECKLINE_SPAN * frame.shoulder_width)


def worn_straps_kept(straps: np.ndarray, warped: np.ndarray, outline: np.ndarray, pose: Pose) -> np.ndarray:
    """bool HxW: the pieces of the worn garment's `straps` (off its `outline`) that the new garment hangs from too:
    the new garment as `warped` (its alpha, nothing in front cut out), off the outline, reaches within RIM of the
    piece at least STRAP_ALONG of its height up from its lowest row (STRAP_ALONG)."""
    pieces = (straps > 0) & (outline == 0)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(pieces.astype(np.uint8), connectivity=8)
    kept = np.zeros(count, bool)
    if count < 2:
        return kept[labels]
    rim = max(1, round(RIM * body_frame(pose).shoulder_width))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1,) * 2)
    new = ((warped > 0.5) & (outline == 0)).astype(np.uint8)
    for index in range(1, count):
        top, height = int(stats[index, cv2.CC_STAT_TOP]), int(stats[index, cv2.CC_STAT_HEIGHT])
        near = cv2.dilate((labels == index).astype(np.uint8), kernel) > 0
        rows = np.flatnonzero((near & (new > 0)).any(axis=1))
        kept[index] = rows.size > 0 and top + height - int(rows[0]) >= STRAP_ALONG * height
    found = kept[labels]
    if not found.any():
        return found
    # With the notch its foot and the outline's top edge close in between them (skin and the old strap's foot:
    # left, a dark speck there).
    joined = cv2.morphologyEx((found | (outline > 0)).astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0
    return np.asarray(found | (joined & (outline == 0) & (cv2.dilate(found.astype(np.uint8), kernel) > 0)))


def _run_at_bone(row: np.ndarray, offsets: np.ndarray) -> tuple[float, float]:
    """(first, last) offset of the run of True in `row` (across a leg, at `offsets` from its bone) nearest the
    bone: the leg itself, not the other one beside it."""
    found = np.flatnonzero(row)
    centre = int(found[np.argmin(np.abs(offsets[found]))])
    first, last = centre, centre
    while first > 0 and row[first - 1]:
        first -= 1
    while last < len(row) - 1 and row[last + 1]:
        last += 1
    return float(offsets[first]), float(offsets[last])


def past_hems(silhouette: np.ndarray, pose: Pose) -> tuple[np.ndarray, np.ndarray]:
    """(past, carried), bool HxW: on each leg the pose sees to the ankle, what lies past a lower garment's trouser
    leg's hem (where the leg's `silhouette` narrows abruptly, HEM_NARROWING) across LEG_SPAN of the leg's bone, and
    of it the leg's own breadth at its hem carried on down the shin.

    The worn outline, grown in the garment's colours, went on down a shaded ankle: cut at `past`, it ends at the
    hem. Longer new legs hang on in `carried` (`dressed_silhouette`): as warped, their own legs there stood out
    beyond the old outline's, a cuff broader than the leg, stepped out at the old hem."""
    width = body_frame(pose).shoulder_width
    span = max(2.0, LEG_SPAN * width)
    offsets = np.arange(-span, span + 1.0)
    ys, xs = np.mgrid[:silhouette.shape[0], :silhouette.shape[1]]
    inside = silhouette > 0
    past, carried = np.zeros(silhouette.shape[:2], bool), np.zeros(silhouette.shape[:2], bool)
    for limb in _limbs(pose, Category.LOWER):
        if len(limb) < 3:  # no shin: the hem is below the photo's edge
            continue
        knee, ankle = limb[1], limb[2]
        down = (ankle - knee) / max(float(np.linalg.norm(ankle - knee)), 1e-6)
        across = np.array([-down[1], down[0]])
        points = _samples([knee, ankle + down * span], 0.0, LIMB_STEP * width)
        line = points[:, None, :] + offsets[None, :, None] * across
        cols = np.clip(np.round(line[..., 0]).astype(int), 0, silhouette.shape[1] - 1)
        rows = np.clip(np.round(line[..., 1]).astype(int), 0, silhouette.shape[0] - 1)
        covered = inside[rows, cols] & ~past[rows, cols]
        widths = covered.sum(axis=1)
        for index in range(HEM_ABOVE, len(widths)):
            if widths[index] < HEM_NARROWING * widths[index - HEM_ABOVE:index].max():
                hem = points[index] - down * LIMB_STEP * width / 2
                along = (xs - hem[0]) * down[0] + (ys - hem[1]) * down[1]
                beside = (xs - hem[0]) * across[0] + (ys - hem[1]) * across[1]
                past |= (along > 0) & (np.abs(beside) <= span)
                # The leg's breadth over the rows just above its hem (a hem slanted across the shin cuts the last
                # row short), carried on from there (from the hem itself it left a notch of backdrop by the slant).
                runs = [_run_at_bone(covered[i], offsets) for i in range(index - HEM_ABOVE, index) if widths[i] > 0]
                first_offset, last_offset = min(r[0] for r in runs), max(r[1] for r in runs)
                carried |= ((along > -HEM_ABOVE * LIMB_STEP * width) & (beside >= first_offset)
                            & (beside <= last_offset))
                break
    return past, carried


def round_off_outline(person: np.ndarray, silhouette: np.ndarray, person_mask: np.ndarray, skin: np.ndarray,
                      repaint: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(photo, silhouette): the silhouette's outline rounded off where it borders the backdrop or bare skin (a
    sleeve's hem on the arm), and the photo with the old garment there (its anti-aliased rim, the staircase's
    steps the rounding leaves out) filled from that backdrop or skin, so the new garment's feathered edge
    blends into them, not into the old garment. `repaint`: more of the old garment off the silhouette, filled
    from them the same way however far from them (a camisole's thin straps the new garment does not hang from).

    Against what stays in front of the garment or beside it (hair, the other garment) the outline is the
    photo's own and stays. The rounding adds at most ROUND_GROWTH_PX to the silhouette: it never closes a gap.
    """
    size = max(silhouette.shape[:2])
    reach = max(2.0, ROUND_REACH * size)
    inside = silhouette > 0
    # A sliver of the person between the silhouette and the backdrop is the old garment's edge that its outline
    # left out: a shoulder tape or a piping in the backdrop's colours (left, it showed beside the new garment).
    off_person = person_mask <= 0.5
    to_off = cv2.distanceTransform((~off_person).astype(np.uint8), cv2.DIST_L2, 3)
    beyond = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 3)
    inside |= ~off_person & (skin == 0) & (beyond + to_off <= reach)
    beyond = cv2.distanceTransform((~inside).astype(np.uint8), cv2.DIST_L2, 3)
    silhouette = inside.astype(np.uint8)
    # Backdrop and skin clear of the old garment's anti-aliased rim just outside the silhouette.
    backdrop = off_person & (beyond > 2)
    bare_skin = (skin > 0) & (beyond > 2) & ~backdrop
    bare = backdrop | bare_skin
    gone = np.zeros_like(inside) if repaint is None else (repaint > 0) & ~inside
    bare &= ~gone
    if not bare.any() or not inside.any():
        return person, silhouette
    # Labels number the zero pixels of the input (here: the backdrop and skin) in raster order, from 1.
    to_bare, nearest = cv2.distanceTransformWithLabels((~bare).astype(np.uint8), cv2.DIST_L2, 5,
                                                       labelType=cv2.DIST_LABEL_PIXEL)
    rounded = smooth_outline(silhouette) & (beyond <= ROUND_GROWTH_PX)
    dressed = np.where(to_bare <= reach, rounded, inside)
    # Only what lies next to the backdrop or skin: deeper, the edge is against something else (the old collar
    # between a neckline and the neck), whose colour the new garment's feathered edge keeps.
    rim = ((to_bare <= ROUND_GROWTH_PX + 2) & (inside | off_person | (skin > 0)) & ~bare) | gone
    # Each pixel from the nearest backdrop or skin pixel, whichever is nearer: a smooth fill from both at once
    # gave a sleeve's hem between the arm and the backdrop a pale blend of them (and cost 30 ms at 512 px).
    bare_ys, bare_xs = np.nonzero(bare)
    rim_ys, rim_xs = np.nonzero(rim)
    source = nearest[rim_ys, rim_xs] - 1
    photo = person.copy()
    photo[rim_ys, rim_xs] = person[bare_ys[source], bare_xs[source]]
    return photo, dressed.astype(np.uint8)
