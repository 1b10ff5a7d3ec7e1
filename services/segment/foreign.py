"""What a worn garment's mask caught that is not the garment: skin the face's chroma missed (a shoulder in
highlight, an ankle below a trouser hem) and things in the backdrop's colours (a white bag, white shoes).

Each pixel goes to the nearest of three colour models, all learnt from the photo itself: the garment's own
colours (its sure core), the shopper's skin (the face and the skin already found) and the backdrop (outside
the person mask). Pure numpy/OpenCV, tested on synthetic images.
"""

from __future__ import annotations

from typing import NamedTuple

import cv2
import numpy as np

from fittingroom.common import landmarks as lm
from fittingroom.common.body import Pose, body_frame, knees
from fittingroom.common.garment import Category

# Lab distance by which a pixel must be nearer skin or the backdrop than every garment colour to be no garment:
# a white garment on a white studio wall is as near both, and stays the garment's.
FOREIGN_MARGIN = 8.0
LIGHTNESS_WEIGHT = 0.5  # light and shade move a colour's lightness more than its chroma
COLOURS = 4  # colours per model (a print, light and shade)
SAMPLE = 4000
MODEL_STEP = 3
MINOR_SHARE = 0.15  # of the garment's sure core: a colour this rare there, in the skin's colours, is caught skin
HOLD_REACH = 0.6  # of the shoulder width: how far from a wrist a held bag reaches
SKIN_LIKE = 16.0  # Lab distance (lightness halved) to a skin colour that makes a minor garment colour skin's
MIN_PIXELS = 50
SEED = 0
THIGH_SHARE = 0.5  # of the hips-to-knees length: how far down the thighs trousers' or a skirt's colours are taken


def _weighted_lab(image: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab[..., 0] *= LIGHTNESS_WEIGHT
    return lab


def colour_model(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """[k, 3] colour centres of `pixels` (k-means, seeded: the same photo gives the same centres), and the share
    of the pixels nearest each."""
    rng = np.random.default_rng(SEED)
    sample = pixels[rng.choice(len(pixels), min(len(pixels), SAMPLE), replace=False)].astype(np.float32)
    clusters = min(COLOURS, len(sample))
    criteria = (cv2.TERM_CRITERIA_MAX_ITER + cv2.TERM_CRITERIA_EPS, 20, 1.0)
    # k-means++ draws from OpenCV's generator of the calling thread, seeded by nothing there.
    cv2.setRNGSeed(SEED)
    _, found, centres = cv2.kmeans(sample, clusters, np.zeros((len(sample), 1), np.int32), criteria, 2,
                                   cv2.KMEANS_PP_CENTERS)
    return np.asarray(centres), np.bincount(np.asarray(found).ravel(), minlength=clusters) / len(sample)


def colour_zone(pose: Pose, shape: tuple[int, int], category: Category) -> np.ndarray:
    """bool HxW: where a garment of `category` shows its own colours for sure: a top's chest (its sure zone
    already); trousers', a skirt's or a dress's down to THIGH_SHARE of the thighs (a colour-block dress's skirt
    too). Their sure zone reaches the ankles, where shorts, cropped trousers and a short dress bare the skin."""
    if category is Category.UPPER:
        return np.ones(shape, bool)
    frame = body_frame(pose)
    hips = (frame.left_hip + frame.right_hip) / 2
    limit = THIGH_SHARE * float((sum(knees(pose, frame)) / 2 - hips) @ frame.down)
    ys, xs = np.ogrid[:shape[0], :shape[1]]
    return np.asarray((xs - hips[0]) * frame.down[0] + (ys - hips[1]) * frame.down[1] <= limit)


def nearest_distance(pixels: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """Each of the [n, 3] pixels' distance to its nearest of the [k, 3] centres: a pass per centre over each
    channel (broadcast [n, k, 3] differences cost 8 ms over a garment at 512 px, a matrix product 3)."""
    channels = np.ascontiguousarray(np.asarray(pixels, np.float32).T)
    nearest = np.full(channels.shape[1], np.inf, np.float32)
    for centre in np.asarray(centres, np.float32):
        squared = (channels[0] - centre[0]) ** 2 + (channels[1] - centre[1]) ** 2 + (channels[2] - centre[2]) ** 2
        np.minimum(nearest, squared, out=nearest)
    return np.asarray(np.sqrt(nearest))


def hands_reach(pose: Pose, shape: tuple[int, int]) -> np.ndarray:
    """bool HxW: discs of HOLD_REACH round the wrists the pose sees, where a hand holds a bag or a phone."""
    discs = np.zeros(shape, np.uint8)
    radius = max(1, round(HOLD_REACH * body_frame(pose).shoulder_width))
    for wrist in (lm.LEFT_WRIST, lm.RIGHT_WRIST):
        if pose.sees(wrist):
            cv2.circle(discs, tuple(np.round(pose.point(wrist)).astype(int)), radius, 1, -1)
    return discs > 0


class Foreign(NamedTuple):
    """What `foreign_parts` found in a garment's mask."""

    parts: np.ndarray  # bool HxW: the pieces that are no garment
    skin: np.ndarray  # bool HxW: their pixels nearer the shopper's skin's colours than the backdrop's


def foreign_parts(image: np.ndarray, mask: np.ndarray, core: np.ndarray, skin: np.ndarray,
                  person: np.ndarray, held: np.ndarray | None = None) -> Foreign:
    """The pieces of `mask` whose colours are nearer the shopper's `skin` or the backdrop than any of the
    garment's sure `core`, by FOREIGN_MARGIN, and that reach the mask's edge; and of them, the skin (`Foreign`).

    A print's spots in a skin or backdrop colour lie inside the garment, surrounded by it: they stay. A bare
    ankle, a shoulder or a bag runs out of the garment's outline, and goes. Within `held` (`hands_reach`), a
    minor colour of the core in the backdrop's colours is a held bag's, not the garment's; elsewhere it is the
    garment's own trim (a white collar on a navy shirt).
    """
    inside = mask > 0
    # The colour models learn from every MODEL_STEP-th pixel each way: a k-means sample is a few thousand.
    grid = _weighted_lab(image[::MODEL_STEP, ::MODEL_STEP])
    on_grid = (slice(None, None, MODEL_STEP),) * 2
    garment = core[on_grid] > 0
    skin_seen = (skin[on_grid] > 0) & (person[on_grid] > 0.5)
    skin_colours = colour_model(grid[skin_seen])[0] if skin_seen.sum() >= MIN_PIXELS else None
    backdrop = person[on_grid] <= 0.5
    backdrop_colours, wall = None, None
    if backdrop.sum() >= MIN_PIXELS:
        # With the specks the person mask's edge leaves outside it (hair, a dark halo: a strap's black beside a
        # shoulder); its main colour is the wall's.
        backdrop_colours, backdrop_shares = colour_model(grid[backdrop])
        wall = backdrop_colours[np.argmax(backdrop_shares)]
    others = [colours for colours in (skin_colours, backdrop_colours) if colours is not None]
    nothing = Foreign(np.zeros(mask.shape, bool), np.zeros(mask.shape, bool))
    if garment.sum() < MIN_PIXELS or not others or not inside.any():
        return nothing
    own, shares = colour_model(grid[garment])
    if skin_colours is not None:
        # Skin the face's chroma missed inside the sure core (a chest above a camisole's edge) is a minor colour
        # of it, in the skin's colours: no garment's. Not on a garment in the skin's colours (a nude top), whose
        # shades are the skin's too.
        to_skin = nearest_distance(own, skin_colours)
        caught = (shares < MINOR_SHARE) & (to_skin < SKIN_LIKE)
        if not caught.all() and to_skin[np.argmax(shares)] > 2 * SKIN_LIKE:
            own, shares = own[~caught], shares[~caught]
    x, y, w, h = cv2.boundingRect(inside.astype(np.uint8))
    pixels = _weighted_lab(image[y:y + h, x:x + w])[inside[y:y + h, x:x + w]]
    to_garment = nearest_distance(pixels, own)
    if held is not None and wall is not None:
        # A minor colour nearer the backdrop's main colour than the garment's is a held bag's (a pale one's shaded
        # underside over dark trousers). Not on a garment whose main colour is the backdrop's: a white top's
        # shades are a white bag's too.
        main = own[np.argmax(shares)]
        bag = (shares < MINOR_SHARE) & (np.linalg.norm(own - wall, axis=1) < np.linalg.norm(own - main, axis=1))
        in_hand = held[inside]
        if bag.any() and np.linalg.norm(main - wall) > 2 * SKIN_LIKE and in_hand.any():
            to_garment[in_hand] = nearest_distance(pixels[in_hand], own[~bag])
    to_others = [nearest_distance(pixels, colours) for colours in others]
    to_other = np.minimum.reduce(to_others)
    unlike = np.zeros(mask.shape, np.uint8)
    unlike[inside] = to_other + FOREIGN_MARGIN < to_garment
    # Specks (a fold's shade, a seam) are no skin or bag.
    unlike = np.asarray(cv2.morphologyEx(unlike, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)), np.uint8)
    count, labels = cv2.connectedComponents(unlike, connectivity=8)
    if count <= 1:
        return nothing
    edge = cv2.dilate((~inside).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    parts = _pieces(labels, count, labels[edge & (unlike > 0)])
    skin_like = np.zeros(mask.shape, bool)
    if skin_colours is not None:  # `others` lists the skin's first
        skin_like[inside] = to_others[0] <= to_other
    return Foreign(parts, parts & skin_like)


def cut_off(mask: np.ndarray, core: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """bool HxW: the pieces of `mask` that no longer join its sure `core` because `removed` cut them off (a shoe
    strap below a bare ankle). Pieces apart from the core before (a sleeve past a hand in front) stay."""
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros(mask.shape, bool)
    joined = _pieces(labels, count, labels[(core > 0) & (mask > 0)])
    beside = _pieces(labels, count, labels[(cv2.dilate(removed.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
                                           & (mask > 0)])
    return beside & ~joined


def _pieces(labels: np.ndarray, count: int, chosen: np.ndarray) -> np.ndarray:
    """bool HxW: the labelled pieces among `chosen` labels (a lookup table: `np.isin` sorts the whole image)."""
    table = np.zeros(count, bool)
    table[chosen] = True
    table[0] = False
    return np.asarray(table[labels])
