"""The warped garment's edge, on synthetic images: crisp (about a pixel, as a catalogue photo's cloth meets its
backdrop) and drawn by the cloth turning away from the camera, so a white garment on a white backdrop still has
an outline."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.dress import TURN_SHADE, crisp_alpha, dress_garment, smooth_hem, turning_shade

SIDE = 512  # the speed targets' size: a pixel of feather


def _disc_paint() -> np.ndarray:
    paint = np.zeros((SIDE, SIDE), np.uint8)
    cv2.circle(paint, (256, 256), 150, 1, -1)
    return paint


def test_the_alpha_ramp_across_the_outline_is_at_most_two_px_wide_and_never_past_the_paint() -> None:
    paint = _disc_paint()
    alpha = crisp_alpha(paint, 1)
    assert alpha[paint == 0].max() == 0.0
    inner = cv2.erode(paint, np.ones((5, 5), np.uint8)) > 0
    assert alpha[inner].min() == 1.0  # opaque two px in
    # Across the outline, along every direction: few partial pixels, from clear to opaque.
    for angle in np.linspace(0.0, 2 * np.pi, 24, endpoint=False):
        radii = np.arange(140.0, 160.0, 0.25)
        xs = np.round(256 + radii * np.cos(angle)).astype(int)
        ys = np.round(256 + radii * np.sin(angle)).astype(int)
        profile = alpha[ys, xs]
        ramp = radii[(profile > 0.05) & (profile < 0.95)]
        assert ramp.size == 0 or ramp.max() - ramp.min() <= 2.0
    # Its staircase is anti-aliased: on a curved outline some pixels are partly covered.
    partial = (alpha > 0.05) & (alpha < 0.95)
    assert partial.sum() > 100


def test_a_white_garment_on_a_white_backdrop_keeps_a_readable_darker_outline() -> None:
    backdrop = np.full((SIDE, SIDE, 3), 250, np.uint8)
    garment = np.full((SIDE, SIDE, 3), 250, np.uint8)
    paint = _disc_paint()
    dressed = dress_garment(backdrop, garment, paint, np.ones((SIDE, SIDE), np.float32)).astype(np.float32)
    grey = dressed.mean(axis=2)
    inside = cv2.distanceTransform(paint, cv2.DIST_L2, 5)
    outline = (inside > 0) & (inside < 2.5)
    assert grey[inside > 10].min() == 250  # deep inside, the garment as it is
    assert grey[paint == 0].min() == 250  # the backdrop untouched
    assert np.median(grey[outline]) <= 250 - 5  # the outline's px measurably darker than both
    assert grey[outline].min() >= 250 * (1 - TURN_SHADE) - 1  # slightly: cloth turning away, not a drawn line


def test_the_turning_shade_is_darkest_on_the_outline_and_gone_a_few_px_in() -> None:
    paint = np.zeros((SIDE, SIDE), np.uint8)
    paint[100:400, 100:400] = 1
    shade = turning_shade(paint)
    row = shade[250]
    assert row[100] == np.float32(1 - TURN_SHADE) and row[399] == np.float32(1 - TURN_SHADE)
    assert row[100] < row[101] < row[102] < 1.0  # fading in
    assert (row[110:390] == 1.0).all() and (row[:100] == 1.0).all() and (row[400:] == 1.0).all()


def test_a_garment_cut_by_the_frame_has_no_outline_along_it() -> None:
    paint = np.zeros((SIDE, SIDE), np.uint8)
    paint[300:, 100:400] = 1  # a half-body shot: the hem runs out of the photo
    shade = turning_shade(paint)
    assert (shade[SIDE - 1, 110:390] == 1.0).all()
    assert shade[300, 250] < 1.0


def test_pixels_off_the_paint_are_returned_unchanged() -> None:
    person = np.random.default_rng(0).integers(0, 255, (SIDE, SIDE, 3), dtype=np.uint8)
    paint = _disc_paint()
    dressed = dress_garment(person, np.full_like(person, 200), paint, np.ones((SIDE, SIDE), np.float32))
    np.testing.assert_array_equal(dressed[paint == 0], person[paint == 0])


def test_a_strap_two_px_wide_stays_all_but_opaque() -> None:
    """Feathered over two pixels inside its outline, a camisole's strap was eroded away."""
    paint = np.zeros((SIDE, SIDE), np.uint8)
    paint[200:400, 100:300] = 1
    paint[80:201, 150:152] = 1  # a camisole's strap
    alpha = crisp_alpha(paint, 1)
    assert alpha[100:190, 150:152].min() >= 0.75


def test_a_thin_gap_to_the_persons_outline_is_closed_and_a_wide_one_kept() -> None:
    """The body's anti-aliased outline beside a garment that stops a pixel or two short of it drew a line of skin
    along the shoulder; a garment narrower than the body by more keeps its own outline."""
    room = np.zeros((SIDE, SIDE), np.uint8)
    room[50:450, 100:400] = 1  # the person
    garment = np.zeros((SIDE, SIDE), np.float32)
    garment[100:300, 102:300] = 1.0  # 2 px short of the person's left outline, 100 px short of its right
    grown = smooth_hem(garment, room)
    assert grown[150:250, 100:102].min() == 1.0
    assert grown[150:250, 300:400].max() == 0.0
    assert grown[room == 0].max() == 0.0
    np.testing.assert_array_equal(grown[130:270, 110:290], smooth_hem(garment)[130:270, 110:290])


def test_where_a_side_leaves_the_outline_the_closed_gap_ramps_out_instead_of_a_step() -> None:
    """A trouser leg narrowing away from the body's outline: closed to the outline while the gap is thin and not
    at all past that, its side took a step out the gap's width deep."""
    room = np.zeros((SIDE, SIDE), np.uint8)
    room[50:450, 100:400] = 1  # the person
    garment = np.zeros((SIDE, SIDE), np.float32)
    for row in range(100, 400):
        garment[row, 100 + (row - 100) // 12:300] = 1.0  # the side leaves the outline a pixel every 12 rows
    sides = np.argmax(smooth_hem(garment, room)[120:380] > 0.5, axis=1)
    assert np.abs(np.diff(sides)).max() <= 1  # no step: a pixel per row at most
    assert sides[0] == 100 and sides[-1] > 115  # at the outline above, its own side below
