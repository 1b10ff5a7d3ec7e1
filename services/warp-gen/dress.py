"""Layer a warped catalog garment onto the shopper with the design mode's shading-preserving composite.

Where the shopper's own garment was, the new one takes its folds and light (`compose.shading`); elsewhere
it keeps the product photo's own light, because there is no cloth underneath whose shading means
anything (bare skin or the background of a person-mask edge). What the new garment leaves uncovered of
the old one is repainted with what would be there: skin on the body, in the tone of the shopper's own
visible skin, and the background beside it, filled from the scene around (`repaint_uncovered`); left as
it was, the old garment showed around and under the new one (a motif, another colour below the hem).
"""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.common.images import mask_box, rounded_outline, smoothed_contours
from fittingroom.warp_gen.albedo import unprinted_shading, unwashed
from fittingroom.warp_gen.arms import Arms, hand_tone
from fittingroom.warp_gen.compose import feathered_alpha
from fittingroom.warp_gen.limb_light import (
    MIN_LEG_PIXELS,
    below_legs,
    cylinder_light,
    leg_skin,
    limb_profile,
    side_light,
)
from fittingroom.warp_gen.sheer import DARK_GARMENT_LUMA, seen_through
from fittingroom.warp_gen.skin_fill import LUMA, channel_axis, continue_skin

# Folds of the old garment carry over fully; its print (letters, patches) is what a lower strength would
# hide, but it also flattens the folds that make the result look worn, so the print is taken out instead
# (`albedo.unprinted_shading`), and what is left of it blurred.
SHADING_STRENGTH = 0.85
# Of the image's longer side: the body's light (its shadow side), large folds, and creases; finer is print.
LIGHT_SCALES = (0.1, 0.03, 0.004)
# Per scale, the robust spread of the light (its log, relative to the coarser scale's) that a plain garment's
# folds reach: they are few, so most of a plain garment is flat at that scale. A garment spread more is
# washed, mottled or printed all over, and its excess is albedo (`albedo.unwashed`). The body's light is
# carried whole: no print is that large.
PLAIN_SPREAD = (float("inf"), 0.04, 0.04)
BLUR_CELL_SIGMA = 4.0  # px: a blur wider than this runs on an image shrunk to keep it about this wide
LIGHT_RIM = 0.006  # of the longer side: the old garment's anti-aliased rim, part background (3 px at 512)
LIGHT_FADE = 0.04  # of the longer side: how far past the old garment's edge its light fades out
# Matte cloth: the old garment's folds may darken the new one a lot but brighten it little (the old one's
# specular highlights, a metal ring, a reflective patch, would turn cotton into satin).
LIGHT_RANGE = (0.45, 1.25)
SKIN_LIGHT_BLUR = 0.06  # of the longer side: the body's broad light (its shadow side), not the old folds or print
SKIN_LIGHT_RANGE = (0.85, 1.1)
# Through a sheer garment the skin shows in some of its pixels (`sheer.seen_through`); an opaque layer under it (a bra)
# is neutral. Fewer seen-through pixels than MIN_SEEN_THROUGH of the garment's, and all of it is read;
# SEEN_THROUGH_KNOWN: a blur's weight below which it knows too little.
MIN_SEEN_THROUGH = 0.2
SEEN_THROUGH_KNOWN = 0.05
# px: the blur of a hanging arm's inner outline where it stays all arm beside the torso (`arm_shading`); the repaint's
# own outline is anti-aliased within it, as the new garment's (`crisp_alpha`).
SKIN_EDGE_SIGMA = 0.7
# The lit skin whose median colour a repainted patch takes deep inside: between these brightness quantiles
# of the visible skin (a chest faces the studio light: not the shade under the chin, nor a highlight).
LIT_SKIN_QUANTILES = (0.65, 0.95)
# Of the photo: the body's visible skin (outside the head's disc) that gives the tone on its own; less, and the
# face's skin (with any hair taken for skin) is added to it.
BODY_SKIN_SHARE = 0.003
# Of the longer side: how far into a repainted patch the colour of the skin beside it carries before the
# lit skin's takes over (a bared chest meets the neck's shade without a seam, and is not all that shade).
NEAR_SKIN_REACH = 0.06
NEAR_SHADE_SHARE = 0.3  # of that reach: how far the brightness of the skin beside it carries
OUTLINE_SMOOTH = 0.004  # of the longer side: the blur that rounds off a mask's staircase (2 px at 512)
# Bare skin where the old garment was: coloured from the nearest visible skin on a grid of this many px,
# whose cells count as skin when at least this share of them is; rounded off over this share of the
# longer side towards its outline, where it is up to EDGE_SHADE darker.
SKIN_FILL_STEP = 4
SKIN_CELL_SHARE = 0.5
FILL_TRUST = 4.0  # a pyramid cell with a quarter of its area known keeps its own colour
SKIN_ROUNDING = 0.02
CONTACT_SHADOW = 0.012  # of the longer side, and how much darker: the shadow a garment's edge casts on skin
CONTACT_SHADE = 0.15
CONTACT_MIN_WIDTH = 0.01  # of the longer side: a sliver of the new garment narrower than this casts no shadow
EDGE_SHADE = 0.3
# A bared torso's light relative to the skin tone: along its middle, and at its sides; what is narrower than
# TORSO_BREADTH of its broadest half width (an arm, the neck) is not the torso.
TORSO_LIGHT = 1.05
TORSO_SHADE = 0.85
TORSO_BREADTH = 0.6
# A bared arm is a cylinder lit from the front: brightest along its bone (its mask's ridge), ARM_SHADE of that
# at its outline, across its own local width; the outline itself smoothed over ARM_OUTLINE of the longer side
# (the old sleeve's mask and the body's arm band met in a ragged blob).
# An arm hangs at the side, less lit than a chest facing the light: its tone is already the body skin's median, not
# its lit tone (`repaint_uncovered`), and along its bone a catalogue shopper's bare arm is that median (05997's: 0.917
# of the lit tone, its median 0.921); darkened again (0.95), an arm bared from a long sleeve read as a brown strip.
ARM_RIDGE = 1.0
ARM_SHADE = 0.84  # the studio light wraps round: catalogue arms against the backdrop darken by a tenth or a fifth
ARM_OUTLINE = 0.008
# The fall of an arm's light from its bone to its outline (`cylinder_light`'s exponent): catalogue shoppers' bare
# arms are half way down from their ridge to their outline's shade about half way across (a circle: a seventh).
ARM_FALLOFF = 1.3
ARM_RIDGE_BAND = 0.5  # of a fitted arm's half width: the band along its bone whose visible skin gives its colour
ARM_CELL_SHARE = 0.9  # of a cell: skin, for its colour to be the arm's (not its edge's, nor a speck's taken for skin)
MIN_RIDGE_CELLS = 4  # of SKIN_FILL_STEP px square: fewer, and the arms' own colour is not known
ARM_OUTLINE_CELLS = 1.0  # of SKIN_FILL_STEP px: how far past a fitted arm's half width a cell is still on it
# Of the longer side: how far past a fitted arm's outline, and how near what is not bare, the bared skin beside it is
# still the arm's side (`arm_strips`: 8 px at 512, the gap `under_garment` closes); no farther than ARM_STRIP_ACROSS of
# its half width from its lit line. Its profile's stretch over them is smoothed over ARM_STRIP_SMOOTH cells.
ARM_STRIP = 0.016
ARM_STRIP_ACROSS = 2.5
ARM_STRIP_SMOOTH = 1.5
# Of the longer side (1 px at 512): a gap this thin between repainted skin and the new garment is skin; wider, the tip
# of the backdrop's wedge between an arm and the garment's side was filled as a spur of skin.
SKIN_GAP = 0.002
ARM_BLEND_CELLS = 2.0  # of SKIN_FILL_STEP px: how far an arm's shading and tone blend into the torso's
# Of a fitted arm's half width: how far onto the torso beside it the shadow of an arm hanging there reaches, from
# ARM_CAST_SHADE (of the skin's light) at the arm's edge to none. The development shoppers' visible arms are a median
# 0.76 of their ridge's brightness on their inner side, 0.8-1.0 of their half width in (0.39-0.88 over 13 arm segments
# of 4 shoppers): the shade where an arm meets the body beside it.
ARM_CAST = 0.5
ARM_CAST_SHADE = 0.76
GARMENT_WAVE = 0.012  # of the longer side: the warped garment's outline is smoothed along its length over this
OUTLINE_GAP = 0.004  # of the longer side: a gap this thin between the garment and the person's outline is closed
# Of the longer side: the widest strip of garment between an arm and the backdrop that is the arm's rim, not the garment
# (4 px at 512, where 3 px were seen; a camisole's strap, 4-5 px there, lies on the shoulder, off the arms).
SLIVER = 0.008
# Of the longer side: the new garment's anti-aliased edge (1 px at 512). A catalogue photo's cloth meets its
# backdrop within about a pixel: on the development photos (garments on their product photos, the shoppers'
# own against theirs) the first pixel past a garment's outline holds a median 3 % of its colour, the first
# inside it 90 %. Feathered over two pixels, all inside its outline, a white tee on a white backdrop was fog.
FEATHER_SHARE = 0.002
# Cloth turning away from the camera towards its outline is darker there, by TURN_SHADE at its outermost pixel,
# fading out TURN_REACH (of the longer side: 4 px at 512) in: pale garments against a pale backdrop on the
# development photos are 1-5 % darker (median 2 %) two to four pixels inside their outline than deeper in (their
# outermost pixel is part backdrop). Against a backdrop of its own colour that shade is all that draws the edge.
TURN_SHADE = 0.04
TURN_REACH = 0.008
RIM_SHARE = 0.008  # of the longer side: the old garment's anti-aliased rim repainted with it (4 px at 512)
INPAINT_SCALE = 0.5  # the background is filled at half size: studio backdrops are smooth
INPAINT_RADIUS = 3


def paint_mask(garment_alpha: np.ndarray, person_mask: np.ndarray, occluders: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: where the new garment shows: on the garment, on the person, behind nothing."""
    return np.asarray((garment_alpha > 0.5) & (person_mask > 0.5) & (occluders == 0), np.uint8)


def front_slivers(paint: np.ndarray, arms: np.ndarray, person_mask: np.ndarray) -> np.ndarray:
    """bool HxW: the pixels of `paint` in strips at most SLIVER wide between the `arms` in front of the garment
    and the backdrop (off `person_mask`). The new garment hangs on under an arm in front of it; where the arm's
    occluding mask stops a few pixels short of the person's outline (its shaded, anti-aliased rim), the garment
    showed as a dark line or dashes along the arm's outer side."""
    paint = paint.astype(np.uint8)
    width = max(1, round(SLIVER * max(paint.shape)))
    opened = cv2.morphologyEx(paint, cv2.MORPH_OPEN, np.ones((width + 1, width + 1), np.uint8))
    thin = (paint > 0) & (opened == 0)
    ring = np.ones((2 * width + 1,) * 2, np.uint8)
    near_arms = cv2.dilate(arms.astype(np.uint8), ring) > 0
    near_backdrop = cv2.dilate((person_mask <= 0.5).astype(np.uint8), ring) > 0
    return np.asarray(thin & near_arms & near_backdrop)


def smooth_hem(garment_alpha: np.ndarray, room: np.ndarray | None = None) -> np.ndarray:
    """float32 {0, 1}: the warped garment (`garment_alpha` > 0.5) with its outline smoothed along its length
    over GARMENT_WAVE of the longer side; with the `room` it may take (where the person is), carried out to
    the room's outline where it runs within OUTLINE_GAP of it.

    A white garment on a light backdrop is cut where the photo's noise lets the cut through: its hem and
    sleeve ends came out wavy, a few pixels deep every ten or so, and warped onto the shopper they read as
    torn. A hem is a smooth curve, a sleeve's end a clean line; a blur cut at half that took the wave out
    would also take a camisole's straps.
    """
    sigma = GARMENT_WAVE * max(garment_alpha.shape[:2])
    smoothed = smoothed_contours(garment_alpha > 0.5, sigma)
    if room is not None:
        # Closed up to a point and then not at all, the gap left a step where the garment's side leaves the
        # outline (a trouser leg at the knee): the closed outline is smoothed again over the gap's own width.
        closed = smoothed | _gap_to_outline(smoothed, room > 0)
        gap = max(1.0, OUTLINE_GAP * max(garment_alpha.shape[:2]))
        smoothed = smoothed | (smoothed_contours(closed, gap) & (room > 0))
    return smoothed.astype(np.float32)


def _gap_to_outline(garment: np.ndarray, room: np.ndarray) -> np.ndarray:
    """bool HxW: the pixels of `room` between `garment` and the room's outline, where the two are at most
    OUTLINE_GAP (of the longer side) apart. Left, the body's anti-aliased outline (its skin, half backdrop) drew
    a line of skin along a shoulder or a side that the garment, lying on it, reaches in a photo."""
    gap = max(1.0, OUTLINE_GAP * max(room.shape[:2]))
    to_garment = cv2.distanceTransform((garment == 0).astype(np.uint8), cv2.DIST_L2, 5)
    to_backdrop = cv2.distanceTransform(room.astype(np.uint8), cv2.DIST_L2, 5)
    return np.asarray(room & (garment == 0) & (to_garment + to_backdrop <= gap + 1.0))


def to_outline(room: np.ndarray) -> np.ndarray:
    """uint8 {0, 1}: `room` (where the person is) with its outline's staircase rounded off, grown by the
    feather of `dress_garment`'s anti-aliased edge.

    Cut to the person mask itself, a sleeve ended inside the arm's outline, and the arm's own anti-aliased
    skin edge showed beyond it as a ragged orange line. Grown, the garment covers the outline's pixels, part
    person and part backdrop, as a garment photographed against the backdrop does.
    """
    feather = _feather_px(room.shape)
    rounded = smooth_outline(room > 0.5).astype(np.uint8)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * feather + 1, 2 * feather + 1))
    return np.asarray(cv2.dilate(rounded, disc), np.uint8)


def _masked_blur(values: np.ndarray, mask: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of `values` over `mask` only (what lies outside does not bleed in).

    A wide blur runs on a shrunken copy (as smooth, a fraction of the work): the body's light at 512 px
    is a 50-pixel blur.
    """
    height, width = values.shape
    shrink = max(1, int(sigma // BLUR_CELL_SIGMA))
    if shrink > 1:
        small = (max(1, width // shrink), max(1, height // shrink))
        values_small = cv2.resize(values * mask, small, interpolation=cv2.INTER_AREA)
        mask_small = cv2.resize(mask, small, interpolation=cv2.INTER_AREA)
        blurred = _masked_blur_at(values_small, mask_small, sigma / shrink)
        return np.asarray(cv2.resize(blurred, (width, height), interpolation=cv2.INTER_LINEAR), np.float32)
    return _masked_blur_at(values * mask, mask, sigma)


def _masked_blur_at(weighted: np.ndarray, mask: np.ndarray, sigma: float) -> np.ndarray:
    weight = cv2.GaussianBlur(mask, (0, 0), sigma)
    return np.asarray(cv2.GaussianBlur(weighted, (0, 0), sigma) / np.maximum(weight, 1e-3), np.float32)


def worn_shading(person: np.ndarray, worn: np.ndarray, strength: float = SHADING_STRENGTH) -> np.ndarray:
    """float32 HxW multiplier: the old garment's light relative to its median, 1 where there was none.

    Its print, logos, colour blocks and trims are taken out first (`albedo.unprinted_shading`). Broad light
    (the body's shadow side, large folds) is carried over as it is; finer detail (creases, but also what is
    left of print, washes, texture) as it is on a plain garment, and on a washed, mottled or printed one only
    where it stands out of the wash (`albedo.unwashed`): a stonewashed garment's mottle carried onto a white
    tee reads as grey clouds, not folds.
    """
    if not worn.any():
        return np.ones(person.shape[:2], np.float32)
    side = max(person.shape[:2])
    # The light is read inside the garment's anti-aliased rim: its pixels are part whatever lies beside it (dark
    # trousers below a white top), and carried over, they drew a dark, torn-looking band along the new hem.
    core = light_core(worn, side)
    inside = core.astype(np.float32)
    relative = unprinted_shading(person, worn)
    # Light at three scales, coarse to fine: each band is carried in proportion to how plain it is.
    bands = [np.ones_like(relative)] + [_masked_blur(relative, inside, max(0.5, share * side))
                                        for share in LIGHT_SCALES]
    light = bands[0]
    for coarse, fine, plain in zip(bands[:-1], bands[1:], PLAIN_SPREAD, strict=True):
        light = light * unwashed(fine / np.maximum(coarse, 1e-3), core, plain, side)
    light = np.clip(light, *LIGHT_RANGE)
    # On a dark garment, light relative to its median is mostly print, noise and what shows through (a sheer
    # top's lining), not folds: carried over at full strength it turned a white shirt into grey smears.
    median_luma = float(np.median(cv2.cvtColor(person, cv2.COLOR_RGB2GRAY)[worn > 0]))
    strength *= min(1.0, median_luma / DARK_GARMENT_LUMA)
    # Past the old garment's edge (a longer new garment) its light goes on and fades out, so no seam shows
    # where it ended under the new one.
    outside = cv2.distanceTransform((worn == 0).astype(np.uint8), cv2.DIST_L2, 3)
    weight = np.clip(1.0 - outside / (LIGHT_FADE * side), 0.0, 1.0)
    light = fill_from(light[..., None], core)[..., 0]
    return np.asarray(1.0 + strength * (light - 1.0) * weight, np.float32)


def light_core(worn: np.ndarray, side: int) -> np.ndarray:
    """bool HxW: `worn` less its anti-aliased rim (LIGHT_RIM of `side` wide); all of it where that leaves too
    little (a sliver of garment has no inside to read)."""
    rim = max(1, round(LIGHT_RIM * side))
    core = cv2.erode(worn.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1,) * 2)) > 0
    return np.asarray(core if core.sum() >= 0.5 * (worn > 0).sum() else worn > 0)


def smooth_outline(mask: np.ndarray) -> np.ndarray:
    """bool HxW: `mask` with its outline's staircase (a mask solved at a fraction of the size, then scaled
    up) rounded off: blurred and cut at half, so it neither grows nor shrinks on a straight edge."""
    return rounded_outline(mask, OUTLINE_SMOOTH * max(mask.shape[:2]))


def with_rim(uncovered: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """bool HxW: the old garment's uncovered pixels and its rim just outside them, less what is `keep`.

    The worn-garment mask stops a pixel or two inside the garment's anti-aliased edge; left, that rim drew
    a dark outline around a repainted arm. The rim is what the garment reaches round what is kept, never across it:
    a thin arm hanging in front of a pale old top, its skin found two or three pixels wide, had its far edge against
    the backdrop taken for the top's rim, then the skin between enclosed (`enclosed_specks`) and the whole arm
    repainted into the bared midriff down to where it swung out of the rim's reach: a step in the waist's outline,
    with the arm's pale anti-aliased edge painted as skin along it.
    """
    rim = max(1, round(RIM_SHARE * max(uncovered.shape)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1, 2 * rim + 1))
    hole, free = uncovered.astype(bool), ~keep.astype(bool)
    grown = (cv2.dilate(hole.astype(np.uint8), kernel) > 0) & free
    # A pixel at a time through what is not kept, never diagonally (a skin mask's diagonal staircase or one-pixel
    # holes let it through to the arm's far side, in specks): twice the rim's steps reach all of the disc above, the
    # same rim where nothing kept is in the way.
    cross = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
    reached = hole
    for _ in range(2 * rim):
        reached = (cv2.dilate(reached.astype(np.uint8), cross) > 0) & (free | hole)
    return np.asarray(hole | (grown & reached))


def _feather_px(shape: tuple[int, ...]) -> int:
    return max(1, round(FEATHER_SHARE * max(shape[:2])))


def under_edge(paint: np.ndarray) -> np.ndarray:
    """bool HxW: the part of `paint` that `dress_garment` covers fully, inside its anti-aliased edge (a feather
    wide where it cuts across a step of the mask's staircase; two feathers in, with a margin)."""
    side = 4 * _feather_px(paint.shape) + 1
    return np.asarray(cv2.erode(paint.astype(np.uint8), np.ones((side, side), np.uint8)) > 0)


def crisp_alpha(paint: np.ndarray, feather_px: int) -> np.ndarray:
    """float32 HxW in [0, 1]: `paint` anti-aliased over about `feather_px` inside its outline, 0 outside it.

    The mask's staircase is rounded off (blurred over the feather) and each pixel takes its distance inside
    the rounded outline (the blur's level less half, over its slope), over the feather, as its share: whole a
    feather in, half on a straight outline's last pixel, less on a step of the staircase, which is cut across.
    A strap a couple of pixels wide, whose blur is flat across it, stays all but opaque.
    """
    inside = paint > 0
    blurred = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), feather_px)
    across, down = cv2.Sobel(blurred, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(blurred, cv2.CV_32F, 0, 1, ksize=3)
    slope = cv2.magnitude(across, down) / 8
    distance = (blurred - 0.5) / np.maximum(slope, 1e-3)
    return np.asarray(np.clip(distance / feather_px, 0.0, 1.0) * inside, np.float32)


def turning_shade(paint: np.ndarray) -> np.ndarray:
    """float32 HxW multiplier: the garment darker towards its outline as it turns away from the camera,
    1 - TURN_SHADE on its outermost pixels, 1 from TURN_REACH (of the longer side) in and off it."""
    reach = max(1.0, TURN_REACH * max(paint.shape[:2]))
    inside = cv2.distanceTransform((paint > 0).astype(np.uint8), cv2.DIST_L2, 5)
    closeness = np.clip(1.0 - (inside - 1.0) / reach, 0.0, 1.0) * (paint > 0)
    return np.asarray(1.0 - TURN_SHADE * closeness, np.float32)


def dress_garment(person: np.ndarray, garment: np.ndarray, paint: np.ndarray, light: np.ndarray,
                  feather_px: int | None = None) -> np.ndarray:
    """`garment` (already warped to the person's frame) painted over `paint`, lit by `light`.

    Its outline is crisp (`crisp_alpha`: about a pixel, as a catalogue photo's cloth meets its backdrop) and the
    cloth darkens towards it as it turns away (`turning_shade`). With `feather_px` (a garment dressed into the
    worn garment's own outline, whose light already turns away there), it fades out over that many px inside
    `paint` instead, unshaded. Pixels outside `paint` are returned bit-for-bit unchanged.
    """
    if feather_px is not None:
        alpha = feathered_alpha(paint, feather_px)
    else:
        alpha = crisp_alpha(paint, _feather_px(person.shape))
        light = light * turning_shade(paint)
    # Blended in the box round the garment alone (`mask_box`): off it the photo is returned as it is.
    box = mask_box(alpha > 0)
    alpha = alpha[box][..., None]
    lit = np.clip(garment[box].astype(np.float32) * light[box][..., None], 0, 255)
    blended = person[box].astype(np.float32) * (1 - alpha) + lit * alpha
    out = person.copy()
    out[box] = np.where(alpha > 0, np.round(blended).astype(np.uint8), person[box])
    return out


def skin_tone(person: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """RGB float32: the median colour of the shopper's visible skin (a warm mid tone when none shows)."""
    seen = skin.astype(bool)
    if seen.sum() < 50:
        return np.array([200.0, 160.0, 140.0], np.float32)
    return np.median(person[seen], axis=0).astype(np.float32)


def fill_from(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """float32 HxWxC: `values` where `known`, and elsewhere a smooth blend of the nearest known values.

    Push-pull: known values are averaged down an image pyramid until every cell has some, then brought
    back up, each level keeping its own averages where it has data. Cheap and seamless at the known edge.
    """
    weight = known.astype(np.float32)
    total = channel_axis(values.astype(np.float32) * weight[..., None])
    levels = [(total, weight)]
    while min(weight.shape) > 2 and weight.max() > 0:
        total, weight = channel_axis(cv2.pyrDown(total)), np.asarray(cv2.pyrDown(weight), np.float32)
        levels.append((total, weight))
    seen = weight > 1e-6
    mean = total[seen].sum(axis=0) / max(float(weight[seen].sum()), 1e-6) if seen.any() else 0.0
    filled = np.broadcast_to(np.asarray(mean, np.float32), total.shape).copy()
    for total, weight in reversed(levels):
        up = channel_axis(cv2.resize(filled, (weight.shape[1], weight.shape[0]), interpolation=cv2.INTER_LINEAR))
        trust = np.clip(weight * FILL_TRUST, 0.0, 1.0)[..., None]
        filled = total / np.maximum(weight, 1e-6)[..., None] * trust + up * (1 - trust)
    return np.asarray(filled, np.float32)


def lit_skin_tone(person: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """RGB float32: the median colour of the shopper's lit visible skin (`skin_tone` when little shows)."""
    seen = person[skin.astype(bool)].astype(np.float32)
    if len(seen) < 50:
        return skin_tone(person, skin)
    luma = seen @ LUMA
    low, high = np.quantile(luma, LIT_SKIN_QUANTILES)
    return np.median(seen[(luma >= low) & (luma <= high)], axis=0).astype(np.float32)


def body_skin(skin: np.ndarray, head: np.ndarray | None) -> np.ndarray:
    """bool HxW: the visible `skin` outside the `head`'s disc (neck, shoulders, arms, legs) where that much shows
    (BODY_SKIN_SHARE), else all of it. A body's tone is its own: the face is lit and made up otherwise, and fair
    hair taken for skin paled a repainted chest to a flat patch."""
    seen = skin.astype(bool)
    if head is None:
        return seen
    body = seen & ~head.astype(bool)
    return body if body.sum() >= BODY_SKIN_SHARE * body.size else seen


def skin_colour(person: np.ndarray, skin: np.ndarray, to_skin: np.ndarray,
                head: np.ndarray | None = None) -> np.ndarray:
    """float32 HxWx3: the colour bare skin would have at each pixel.

    Next to the shopper's visible skin (the neck above a lower neckline, the hands below a shorter sleeve)
    that skin's own colour, filled at a quarter of the size, so a repainted chest or arm meets it without
    a seam; further in, over NEAR_SKIN_REACH, the shopper's lit skin tone (`lit_skin_tone`): the nearest
    skin to a bared chest is the neck in the chin's shadow, which as a whole chest read as a brown block. That
    tone is the body's (`body_skin`: outside the `head`'s disc) where enough of it shows.
    """
    height, width = person.shape[:2]
    visible = skin.astype(bool) & ~to_skin
    tone = lit_skin_tone(person, body_skin(visible, head))
    small = (max(1, width // SKIN_FILL_STEP), max(1, height // SKIN_FILL_STEP))
    known = cv2.resize(visible.astype(np.float32), small, interpolation=cv2.INTER_AREA)
    if known.max() <= 0:
        return np.broadcast_to(tone, (height, width, 3)).astype(np.float32)
    colours = cv2.resize(person.astype(np.float32) * visible[..., None], small, interpolation=cv2.INTER_AREA)
    # INTER_AREA averaged skin with what surrounds it: divide by the skin share to keep only skin.
    colours = colours / np.maximum(known, 1e-6)[..., None]
    seen = known > SKIN_CELL_SHARE
    nearest = fill_from(colours, seen)
    away = cv2.distanceTransform((~seen).astype(np.uint8), cv2.DIST_L2, 3) * SKIN_FILL_STEP
    reach = max(NEAR_SKIN_REACH * max(height, width), 1.0)
    near = np.exp(-away / reach)[..., None]
    filled = nearest * near + tone * (1 - near)
    # The nearest skin's shade carries a shorter way than its hue: the neck in the chin's or a collar's shadow
    # met a bared chest as a dark band along it.
    near_shade = np.exp(-away / (NEAR_SHADE_SHARE * reach))[..., None]
    luma = (nearest * near_shade + tone * (1 - near_shade)) @ LUMA
    filled = filled * (luma / np.maximum(filled @ LUMA, 1.0))[..., None]
    return cv2.resize(filled, (width, height), interpolation=cv2.INTER_LINEAR)


def torso_shading(body: np.ndarray, sides: float | None = None) -> np.ndarray:
    """float32 HxW multiplier: a torso's roundness, lit from the front: TORSO_LIGHT along its middle, darker
    across towards its sides (`sides` of that at its outline: the shopper's own arms' sides against their middle,
    `torso_side`; TORSO_SHADE without), 1 off the torso. The torso is the part of `body`
    as broad as TORSO_BREADTH of its broadest part's half width (arms and neck are narrower); under an
    evenly lit old garment this is the light a bared chest takes, instead of one flat tone. Across is
    along the rows: catalogue shoppers stand upright.
    """
    height, width = body.shape[:2]
    small = (max(1, width // SKIN_FILL_STEP), max(1, height // SKIN_FILL_STEP))
    body_small = cv2.resize(body.astype(np.uint8), small, interpolation=cv2.INTER_NEAREST)
    broad = float(cv2.distanceTransform(body_small, cv2.DIST_L2, 3).max())
    if broad < 2.0:
        return np.ones((height, width), np.float32)
    side = 2 * round(broad * TORSO_BREADTH) + 1
    torso = cv2.morphologyEx(body_small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    rows = torso > 0
    left = rows.argmax(axis=1)
    right = rows.shape[1] - 1 - rows[:, ::-1].argmax(axis=1)
    centre, half = (left + right) / 2, np.maximum((right - left) / 2, 1.0)
    across = np.clip(np.abs(np.arange(rows.shape[1])[None] - centre[:, None]) / half[:, None], 0.0, 1.0) ** 2
    outline = TORSO_SHADE if sides is None else TORSO_LIGHT * sides
    shade = np.where(rows, TORSO_LIGHT + (outline - TORSO_LIGHT) * across, 1.0).astype(np.float32)
    smooth = cv2.GaussianBlur(shade, (0, 0), 1.0)
    return np.asarray(cv2.resize(smooth, (width, height), interpolation=cv2.INTER_LINEAR), np.float32)


def arm_shading(bare: np.ndarray, body: np.ndarray, arms: Arms | None = None, apart: np.ndarray | None = None,
                cover: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """float32 HxW multiplier and float32 HxW weight in [0, 1]: the limbs of `bare` shaded as cylinders, and how
    much each pixel is limb (blended over ARM_BLEND_CELLS where a limb meets the torso; not at its outline).

    With the shopper's `arms` (`fit_arms`), a pixel's place across its arm is its distance off the bone over
    the arm's half width there (on the shoulder, outward only: its top faces the light): the profile follows
    the arm, not the outline the repaint happens to cut (a sleeve's edge, a ragged mask). Without, a limb is
    the part of `bare` narrower than TORSO_BREADTH of the broadest part of the `body` (its torso, which the
    new garment may cover all of), its half width at each pixel the largest distance to its outline nearby
    (the ridge's). Either way it is ARM_RIDGE along its bone and falls as a circle's profile to ARM_SHADE at
    its outline; 1 off the limbs. Below its armpit (`apart`: `Arms.apart` on `bare`, worked out here unless given)
    an arm stays all arm to its inner edge and casts a thin shadow on the torso beside it; the skin bared between it
    and the new garment (`cover`) is its side (`arm_strips`).
    """
    height, width = bare.shape[:2]
    small = (max(1, width // SKIN_FILL_STEP), max(1, height // SKIN_FILL_STEP))
    bare_small = cv2.resize(bare.astype(np.uint8), small, interpolation=cv2.INTER_NEAREST)
    body_small = cv2.resize(body.astype(np.uint8), small, interpolation=cv2.INTER_NEAREST)
    strip = np.zeros((height, width), bool)
    garment = np.zeros(small[::-1], bool) if cover is None else cv2.resize(
        np.asarray(cover, np.uint8), small, interpolation=cv2.INTER_NEAREST) > 0
    if arms is not None and apart is None:
        apart = arms.apart() & bare.astype(bool)
    if arms is not None:
        across = arms.across(SKIN_FILL_STEP, small)
        # A cell on the outline is the arm's too: its centre may lie a little past the half width.
        fitted = (bare_small > 0) & (across <= 1.0 + ARM_OUTLINE_CELLS * SKIN_FILL_STEP / arms.narrowest())
        # Not the bared torso's side beside an arm (a midriff a crop top bares, touching a hanging arm): as broad as
        # TORSO_BREADTH of the body's broadest part.
        broad = float(cv2.distanceTransform(body_small, cv2.DIST_L2, 3).max())
        reach = 2 * round(broad * TORSO_BREADTH) + 1
        torso_small = cv2.morphologyEx(np.minimum(body_small, bare_small), cv2.MORPH_OPEN,
                                       cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach))) > 0
        # Beside the arm below its armpit only: on the shoulder the skin beside it is the shoulder's top and the chest.
        # (Its fitted cells reach a cell past its outline, `apart`'s do not.)
        hanging = fitted & (cv2.dilate(cv2.resize(np.asarray(apart, np.uint8), small, interpolation=cv2.INTER_NEAREST),
                                       np.ones((3, 3), np.uint8)) > 0)
        strip_small, across = arm_strips(fitted, hanging, (bare_small > 0) & ~torso_small, garment, across,
                                         ARM_STRIP * max(height, width) / SKIN_FILL_STEP)
        limb = (fitted | strip_small).astype(np.float32)
        # The strip and the arm's cells next to it are no torso for the shadow the arm casts (below): its full-size
        # pixels past the arm's outline, a cell wide, stayed torso and cut the arm's blend there.
        by_strip = cv2.dilate(strip_small.astype(np.uint8), np.ones((3, 3), np.uint8)) * (limb > 0)
        strip = cv2.resize(by_strip.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0
    else:
        found = _limbs_by_width(bare_small, body_small)
        if found is None:
            return np.ones((height, width), np.float32), np.zeros((height, width), np.float32)
        across, limb = found
    profile = np.where(bare_small > 0, cylinder_light(across, ARM_RIDGE, ARM_SHADE, ARM_FALLOFF), ARM_SHADE)
    # Where a limb meets the torso (a shoulder), blended over a few cells instead of a seam; at its outline
    # (the backdrop beside it) it stays all limb: the blur counts only the body's cells (a normalized blur). Only the
    # bare torso's: beside the new garment (an arm hanging in front of a tee's side) the arm is all arm, where the
    # torso's shading darkened its inner side to a brown band.
    on_body = np.maximum(limb, ((body_small > 0) & (bare_small > 0)).astype(np.float32))
    weight = np.clip(cv2.GaussianBlur(limb, (0, 0), ARM_BLEND_CELLS)
                     / np.maximum(cv2.GaussianBlur(on_body, (0, 0), ARM_BLEND_CELLS), 1e-3), 0.0, 1.0)
    big = (width, height)
    profile_big = cv2.resize(profile.astype(np.float32), big, interpolation=cv2.INTER_LINEAR)
    weight_big = np.asarray(cv2.resize(weight, big, interpolation=cv2.INTER_LINEAR), np.float32)
    cast = np.ones((height, width), np.float32)
    if arms is not None and apart is not None and apart.any():
        # Below its armpit an arm beside the bare torso is all arm to its inner edge (its outline's own, anti-aliased),
        # and casts a shadow on the torso's side beside it: its turning edge and that shadow are the thin shade line
        # that parts a real arm from the body (blended, the two read as one block of skin). Only the shoulder joins
        # the arm to the torso.
        away = cv2.distanceTransform((~apart).astype(np.uint8), cv2.DIST_L2, 3)
        # The torso beside it: the bare skin off the arms as broad as half the shadow's reach (not the sliver of the
        # repaint's outline past an arm's own against the backdrop, whose rim would darken).
        side = 2 * max(1, round(ARM_CAST * arms.narrowest() / 2)) + 1
        torso = cv2.morphologyEx((bare.astype(bool) & ~arms.mask() & ~strip).astype(np.uint8), cv2.MORPH_OPEN,
                                 cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))) > 0
        # On it the arm's blend (its tone, its profile) ends at the arm's edge: out to the blur's reach, three of its
        # sigmas, fading back in over one more (no seam where it stops).
        blend = ARM_BLEND_CELLS * SKIN_FILL_STEP
        beside = np.clip(4.0 - away / blend, 0.0, 1.0) * torso
        weight_big = np.maximum(weight_big * (1.0 - beside),
                                cv2.GaussianBlur(apart.astype(np.float32), (0, 0), SKIN_EDGE_SIGMA))
        closeness = np.clip(1.0 - away / max(ARM_CAST * arms.narrowest(), 1.0), 0.0, 1.0) ** 2
        cast = np.asarray(1.0 - (1.0 - ARM_CAST_SHADE) * closeness * (1.0 - weight_big) * torso, np.float32)
    return np.asarray((1.0 + weight_big * (profile_big - 1.0)) * cast, np.float32), weight_big


def arm_strips(fitted: np.ndarray, hanging: np.ndarray, bare: np.ndarray, garment: np.ndarray, across: np.ndarray,
               reach: float) -> tuple[np.ndarray, np.ndarray]:
    """bool: the `bare` cells (off the bared torso) off an arm's `fitted` cells, between its `hanging` ones (below its
    armpit) and the new `garment`'s side, within `reach` cells of both and within ARM_STRIP_ACROSS of the arm
    (`across`, `Arms.across`); and float32: `across` with the arm's profile stretched over them (1 at the strip's
    outline).

    A loose old sleeve is wider than the arm in it, and the arm reaches under the new garment's edge (`under_garment`):
    the skin bared there past the fitted arm's outline is the arm's turning side, not the torso: lit as the torso, it
    drew a pale band between the arm and the new garment. The stretch is each cell's nearest outline's place across,
    where that outline is the strip's, smoothed: unchanged where an arm has no strip."""
    near_arm = cv2.distanceTransform((~hanging).astype(np.uint8), cv2.DIST_L2, 3) <= reach
    # Beside the garment's side, along the rows: below a crop top's hem the bared midriff's corner by a hanging arm is
    # near the garment too, and taken for the arm's side it was a darker block of arm tone cut off square at the torso.
    span = 2 * int(reach) + 1
    near_out = cv2.dilate(garment.astype(np.uint8), np.ones((1, span), np.uint8)) > 0
    # Nor the garment's hem (its cells with no garment below them): the repaint reaches under its edge (`skin_gaps`),
    # and a sloping hem's last row of cells, both skin and garment, has the hem beside it along its row (a crop top's
    # hem by a hanging arm: a block of arm tone in the midriff's corner, cut off in the grid's steps). A side's cells
    # have the garment below them: the skin under its edge there is the arm's side.
    below = np.zeros_like(garment)
    below[:-1] = garment[1:]
    strip = bare & ~(garment & ~below) & ~fitted & near_arm & near_out & (across <= ARM_STRIP_ACROSS)
    if not strip.any():
        return strip, across
    limb = fitted | strip
    outline = limb & ~(cv2.erode(limb.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    _, labels = cv2.distanceTransformWithLabels((~outline).astype(np.uint8), cv2.DIST_L2, 5,
                                                labelType=cv2.DIST_LABEL_PIXEL)
    stretch = np.ones(labels.max() + 1, np.float32)
    stretch[labels[outline]] = np.where(strip[outline], np.maximum(across[outline], 1.0), 1.0)
    scale = _masked_blur(stretch[labels], limb.astype(np.float32), ARM_STRIP_SMOOTH)
    return strip, np.where(limb, across / np.maximum(scale, 1.0), across).astype(np.float32)


def _arm_cells(person: np.ndarray, skin: np.ndarray, arms: Arms) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """On the SKIN_FILL_STEP px grid: each cell's share of the arms' visible `skin` (below the shoulders, up to the
    wrists), the mean colour of that skin in it (times the share), and its place across its arm (`Arms.across`)."""
    height, width = person.shape[:2]
    small = (max(1, width // SKIN_FILL_STEP), max(1, height // SKIN_FILL_STEP))
    on_arm = skin.astype(bool) & arms.mask(shoulders=False, hands=False)
    share = np.asarray(cv2.resize(on_arm.astype(np.float32), small, interpolation=cv2.INTER_AREA), np.float32)
    colours = cv2.resize(person.astype(np.float32) * on_arm[..., None], small, interpolation=cv2.INTER_AREA)
    return share, colours, arms.across(SKIN_FILL_STEP, small)


def torso_side(person: np.ndarray, skin: np.ndarray, arms: Arms) -> float | None:
    """How bright a torso's sides are against its middle under the studio's light: as the shopper's visible arm
    skin's are (`limb_light.side_light`, on the cells all skin); None when the arms show too little."""
    share, colours, across = _arm_cells(person, skin, arms)
    luma = channel_axis(colours) @ LUMA / np.maximum(share, 1e-6)
    return side_light(luma, share > ARM_CELL_SHARE, across)


def arm_colour(person: np.ndarray, skin: np.ndarray, arms: Arms) -> np.ndarray | None:
    """float32 HxWx3: the colour a bared arm takes on its bone (ARM_RIDGE of it), from the nearest visible skin
    along the bone of an arm (within ARM_RIDGE_BAND of its half width: lit, not its shaded sides) up to its wrist,
    filled at a reduced size; None when the arms show too little skin. An upper arm under the studio light is
    paler than the hand, and one tone for the whole arm met the visible arm with a seam. Not the hand's: a hand
    is pinker and paler than the arm (its palm, its knuckles), and an arm the old sleeve hid to the wrist took it
    as a pale pink strip; with no arm skin to go by, the body's tone is the arm's, and the hand's only from its wrist
    up, fading (`hand_tone`)."""
    height, width = person.shape[:2]
    share, colours, across = _arm_cells(person, skin, arms)
    ridge = (share > ARM_CELL_SHARE) & (across <= ARM_RIDGE_BAND)
    if ridge.sum() < MIN_RIDGE_CELLS:
        return None
    lit = fill_from(colours / np.maximum(share, 1e-6)[..., None], ridge) / ARM_RIDGE
    return np.asarray(cv2.resize(lit, (width, height), interpolation=cv2.INTER_LINEAR), np.float32)


def _limbs_by_width(bare_small: np.ndarray, body_small: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Without the pose's arms: each pixel's place across its limb (0 on the ridge, 1 at the outline) and
    where the limbs are, both on the reduced grid; None when nothing is broad enough to tell them apart."""
    inside = cv2.distanceTransform(bare_small, cv2.DIST_L2, 3)
    broad = max(float(cv2.distanceTransform(body_small, cv2.DIST_L2, 3).max()), float(inside.max()))
    if broad < 2.0:
        return None
    limb_half = TORSO_BREADTH * broad
    reach = 2 * int(np.ceil(limb_half)) + 1
    ridge = cv2.dilate(inside, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (reach, reach)))
    across = 1.0 - np.clip(inside / np.maximum(ridge, 1e-3), 0.0, 1.0)
    # Off the torso only: a strip of chest bared above a lower neckline is as narrow as an arm.
    side = 2 * round(limb_half) + 1
    torso = cv2.morphologyEx(body_small, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    limb = ((bare_small > 0) & (ridge <= limb_half) & (torso == 0)).astype(np.float32)
    return across, limb


def smoothed_limbs(to_skin: np.ndarray, hole: np.ndarray, skin: np.ndarray | None = None) -> np.ndarray:
    """bool HxW: `to_skin` with its outline rounded off (blurred over ARM_OUTLINE of the longer side and cut
    at half), within the `hole` being repainted. With the visible `skin` it joins: where a bared forearm meets
    the hand, that is no outline to round (rounded, its corners were left to the backdrop: a pale seam)."""
    joined = to_skin | skin.astype(bool) if skin is not None else to_skin
    return rounded_outline(joined, ARM_OUTLINE * max(to_skin.shape[:2])) & hole


def skin_gaps(to_skin: np.ndarray, cover: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """bool HxW: the pixels of the `hole` between the repainted skin (`to_skin`) and the new garment (`cover`) where
    the two come within SKIN_GAP (of the longer side) of each other, and the garment's own there: the skin reaches
    under the garment's edge, whose anti-aliased pixels show it. Left to the backdrop, the rounded skin's outline and
    the warped garment's met with a line or speck of backdrop between (a white fleck where a bared arm meets the
    garment's side), which their crisp outlines no longer blur over."""
    gap = max(1, round(SKIN_GAP * max(hole.shape[:2])))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 1,) * 2)
    closed = cv2.morphologyEx((to_skin | cover).astype(np.uint8), cv2.MORPH_CLOSE, kernel) > 0
    # A pixel farther: the garment's anti-aliased edge past the gap.
    wider = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * gap + 3,) * 2)
    near_skin = cv2.dilate(to_skin.astype(np.uint8), wider) > 0
    near_cover = cv2.dilate(cover.astype(np.uint8), kernel) > 0
    gaps = closed & near_skin & near_cover & hole & ~to_skin
    # Only what joins the skin through the gap: the hole's outline may cross it (the backdrop the old garment did not
    # reach stays as the photo shows it), and a gap's far side alone stood as a detached sliver of skin.
    joined = to_skin.astype(bool).copy()
    for _ in range(gap + 1):
        joined = (cv2.dilate(joined.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0) & (joined | gaps)
    return np.asarray(joined & gaps)


def contact_shadow(cover: np.ndarray, shape_px: float) -> np.ndarray:
    """float32 HxW multiplier: the shadow the new garment's edge (`cover`) casts on the skin beside it, CONTACT_SHADE
    deep at the edge and gone `shape_px` from it. Only there: taken as the skin's distance to its outline, it also
    darkened a bared arm along the backdrop, a dark rim on top of the arm's own rounding. A sliver of it (a strand
    of the warped garment's outline across an arm) casts none: its shadow drew a dark streak across the forearm."""
    side = 2 * max(1, round(CONTACT_MIN_WIDTH * max(cover.shape[:2]) / 2)) + 1
    body = cv2.morphologyEx(cover.astype(np.uint8), cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    away = cv2.distanceTransform((body == 0).astype(np.uint8), cv2.DIST_L2, 3)
    closeness = 1.0 - np.clip(away / max(shape_px, 1.0), 0.0, 1.0)
    return np.asarray(1.0 - CONTACT_SHADE * closeness**2, np.float32)


def limb_shading(bare: np.ndarray, shape_px: float, shade: float = EDGE_SHADE) -> np.ndarray:
    """float32 HxW multiplier: bare skin turning away from the light towards its outline (a rounded arm,
    a chest meeting a neckline's shadow), 1 deeper than `shape_px` inside `bare`."""
    inside = cv2.distanceTransform(bare.astype(np.uint8), cv2.DIST_L2, 3)
    closeness = 1.0 - np.clip(inside / max(shape_px, 1.0), 0.0, 1.0)
    return np.asarray(1.0 - shade * closeness**2, np.float32)


def repaint_uncovered(person: np.ndarray, uncovered: np.ndarray, body: np.ndarray, skin: np.ndarray,
                      garments: np.ndarray, cover: np.ndarray | None = None, arms: Arms | None = None,
                      legs: np.ndarray | None = None, chest: np.ndarray | None = None,
                      head: np.ndarray | None = None, missed: np.ndarray | None = None) -> np.ndarray:
    """`person` with the old garment's uncovered pixels repainted: skin on the body, background elsewhere.

    Skin takes the colour of the nearest visible skin (`skin_colour`), the old garment's broad light
    (which side is in shade) and rounds off towards its outline (`limb_shading`: where it meets the
    background or the new garment, `cover`); no flat block. Background is inpainted from the scene
    around every garment (`garments`: old and new), so neither garment's colour bleeds into it. With the
    shopper's fitted `arms`, a bared arm is shaded about its bone and coloured from the visible skin along
    it (`arm_shading`, `arm_colour`); bared `legs` (each leg's mask) take the visible legs' own tone and
    roundness (`leg_skin`); `chest`, a light multiplier, models a bared neck, upper chest and belly (`chest_light`,
    `belly_light`).
    The skin's tone is the body's, outside the `head`'s disc (`body_skin`), where enough of it shows; the paint then
    goes on from the visible skin (`continue_skin`: its darkest shade, its light at the outline, the seam, its grain),
    `missed` (skin the `skin` mask missed, `WornGarment.skin`) with it.
    Pixels outside `uncovered` are unchanged.
    """
    out = person.copy()
    hole = uncovered.astype(bool)
    if not hole.any():
        return out
    if missed is not None:
        # The skin mask misses skin in highlight in blocks (a chest beside a dress's strap): with the strap alone
        # repainted, its seam met no visible skin, kept its paint's shade and stood as a brown block on a pale chest.
        skin = np.asarray(skin.astype(bool) | (missed.astype(bool) & ~hole), np.uint8)
    # A bared leg goes on past the hole (under the new hem, into the visible leg below the old): no rounding there.
    beyond = (legs > 0).any(axis=0) & body.astype(bool) & ~hole if legs is not None else np.zeros_like(hole)
    to_skin = smoothed_limbs((hole & body.astype(bool)) | beyond, hole, skin)
    # What the photo shows as skin on the body stays skin: the rounding takes the photo's skin it does not know (an arm
    # the skin mask found in part, a neck's or a shoulder's edge) for the outline, and the repaint's pixels on the old
    # garment's seam there came out as white or dark one-pixel specks of backdrop.
    to_skin |= hole & body.astype(bool) & skin.astype(bool)
    if cover is not None:  # no line of backdrop a pixel or two wide between the skin and the new garment's edge
        to_skin |= skin_gaps(to_skin, cover.astype(bool), hole)
    # Nor, on the body, between the skin and a garment the photo keeps (a bared midriff and the skirt's top: a white
    # line along the waistband).
    kept = garments.astype(bool) & ~hole
    to_skin |= skin_gaps(to_skin, kept, hole & body.astype(bool))
    height, width = person.shape[:2]
    small = cv2.resize(person, None, fx=INPAINT_SCALE, fy=INPAINT_SCALE, interpolation=cv2.INTER_AREA)
    scene_hole = cv2.resize(garments.astype(np.uint8), (small.shape[1], small.shape[0]),
                            interpolation=cv2.INTER_NEAREST)
    scene_hole = cv2.dilate(scene_hole, np.ones((3, 3), np.uint8))
    scene = cv2.resize(cv2.inpaint(small, scene_hole, INPAINT_RADIUS, cv2.INPAINT_TELEA), (width, height),
                       interpolation=cv2.INTER_LINEAR).astype(np.float32)
    if not to_skin.any():
        out[hole] = np.round(scene[hole]).astype(np.uint8)
        return out
    covered = cover.astype(bool) if cover is not None else np.zeros_like(to_skin)
    side = max(height, width)
    # Skin rounds off towards the backdrop; under the new garment's edge it takes a narrower, lighter
    # contact shadow (the rounding's width and depth there read as a grey smear along a neckline).
    bare = to_skin | skin.astype(bool)
    rounded = limb_shading(bare | covered, SKIN_ROUNDING * side)
    contact = contact_shadow(covered, CONTACT_SHADOW * side)
    # An arm is rounded along its bone (`arm_shading`), the torso across (`torso_shading`), both off the skin's
    # outline (`limb_shading`): a bared forearm read as a flat pale blob.
    apart = arms.apart() & bare if arms is not None else None
    arm_light, limb = arm_shading(bare, body | bare, arms, apart, covered)
    # The torso is what shows of the body, less the arms hanging apart from it: its sides turn away from the light as
    # the shopper's own arms' do (`torso_side`).
    visible = skin.astype(bool) & ~to_skin
    torso = body.astype(bool) & (bare | covered) & (~apart if apart is not None else True)
    sides = torso_side(person, visible, arms) if arms is not None else None
    torso_light = torso_shading(torso, sides)
    # On an arm its own profile replaces the outline's rounding and the torso's: both together darkened a narrow
    # strip of bared skin beside the new garment, and a bared shoulder, to brown.
    # An arm takes its light from its own profile and the skin it takes its tone from, not from the old sleeve's
    # (a bright sleeve paled it, a dark one browned it).
    # The torso's colour is the visible skin's, lit as it is: the old garment's light may shade it, never pale it
    # further (a black dress's gold studs, read as light, blew a bared chest out to white).
    under = np.minimum(skin_light(person, hole, skin), 1.0)
    under = under + limb * (1.0 - under)
    light = under * (rounded * torso_light) ** (1.0 - limb) * contact * arm_light
    if chest is not None:  # the neck, upper chest and navel modelled by the pose, off the arms
        light = light * chest ** (1.0 - limb)
    colour = skin_colour(person, skin, to_skin, head)
    # An arm takes the visible skin's own median tone, not the lit chest's (whose highlights paled a forearm).
    body_seen = body_skin(visible, head)
    arm_tone = skin_tone(person, body_seen) / np.maximum(lit_skin_tone(person, body_seen), 1.0)
    colour = colour * (1.0 + limb[..., None] * (arm_tone - 1.0))
    own_arm = arm_colour(person, visible, arms) if arms is not None else None
    if own_arm is not None:  # the shopper's own arm skin, where it faces the light, from the nearest of it
        colour = colour + limb[..., None] * (own_arm - colour)
    hands = hand_tone(person, visible, arms) if arms is not None and own_arm is None else None
    if hands is not None:  # no arm skin shows: the hand's, up the arm from it
        hand, near = hands
        colour = colour + (limb * near)[..., None] * (hand - colour)
    painted_skin = colour * light[..., None]
    # No darker than the visible skin, matched to it at their seam, its outline lit as the shopper's own, its grain.
    painted_skin = continue_skin(painted_skin, person, to_skin, visible, body_seen,
                                 backdrop=~(to_skin | skin.astype(bool) | beyond | covered), scene=garments == 0,
                                 modelled=limb)
    if legs is not None:  # bared legs: the tone and roundness of the shopper's visible legs (`leg_skin`)
        # Where no leg shows, the tone of the feet below them if they show (the body's was a darker, browner tan
        # than a shopper's own pale ankles above her shoes), else the body's. The feet's lit tone: in a shoe's opening
        # and between its straps they lie in its shade, and their median painted a pale shopper's legs a darker,
        # more saturated tan than her arms.
        feet = below_legs(visible, legs)
        enough = feet.sum() >= MIN_LEG_PIXELS
        source = feet if enough else body_seen
        tone = lit_skin_tone(person, feet) if enough else skin_tone(person, body_seen)
        modelled = limb_profile(tone, ARM_SHADE if sides is None else sides, ARM_FALLOFF)
        painted_skin = leg_skin(painted_skin, person, to_skin, legs, covered, modelled, source)
    # Anti-aliased within its outline, as the new garment's (`crisp_alpha`): a catalogue photo's skin meets its
    # backdrop within a pixel. Blurred across it, a pixel of backdrop outside took a quarter skin and the skin's last
    # a quarter backdrop: a pale, fuzzy rim round a bared arm. Not where it meets the shopper's visible skin (a hand
    # below a bared forearm, a leg below the old hem), where half backdrop drew a pale seam; nor where the skin meets a
    # garment the photo keeps (a bared midriff on the skirt's top, where the backdrop's half drew a white line).
    feather = _feather_px(person.shape)
    alpha = crisp_alpha(to_skin | skin.astype(bool) | beyond, feather)
    alpha = np.where(to_skin, crisp_alpha(to_skin | skin.astype(bool) | beyond | kept, feather), alpha)[hole][:, None]
    blended = painted_skin[hole] * alpha + scene[hole] * (1 - alpha)
    out[hole] = np.clip(np.round(blended), 0, 255).astype(np.uint8)
    return out


def skin_light(person: np.ndarray, uncovered: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """float32 HxW: the body's broad light under the old garment (which side is in shade), relative to the median
    of what it is read from.

    Under an opaque garment its folds are cloth: only its broad light tells about the body. Under a dark sheer one
    (a mesh top) the light is read where skin's warmth shows through it (`sheer.seen_through`, against the
    shopper's visible `skin`), as broadly: an opaque layer under the mesh (a black bra, a lining) is neutral and
    dark as cloth, not in shade, and so is the mesh itself where it lies doubled (a seam) or is seen edge-on (a
    torso's and an arm's sides). Read finely, that density drew grey blotches on the shoulders and a grey band
    under a crop top's hem on the skin a mesh top left bared.
    """
    height, width = person.shape[:2]
    grey = cv2.cvtColor(person, cv2.COLOR_RGB2YCrCb)[..., 0].astype(np.float32)
    sigma = SKIN_LIGHT_BLUR * max(height, width)
    through = seen_through(person, uncovered, skin)
    if through is None:
        reference = max(float(np.median(grey[uncovered])), 1.0)
        return np.clip(_masked_blur(grey, uncovered.astype(np.float32), sigma) / reference,
                       *SKIN_LIGHT_RANGE).astype(np.float32)
    if through.sum() < MIN_SEEN_THROUGH * uncovered.sum():
        through = uncovered
    # The light is the seen-through skin's, carried across what hides it from round it.
    known = cv2.GaussianBlur(through.astype(np.float32), (0, 0), sigma) > SEEN_THROUGH_KNOWN
    light = fill_from(_masked_blur(grey, through.astype(np.float32), sigma)[..., None], known)[..., 0]
    reference = max(float(np.median(grey[through])), 1.0)
    return np.clip(light / reference, *SKIN_LIGHT_RANGE).astype(np.float32)
