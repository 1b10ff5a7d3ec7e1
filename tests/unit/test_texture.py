"""A garment's texture carried into the gaps round its core: mirrored, not smeared."""

from __future__ import annotations

import numpy as np

from fittingroom.common.images import mask_box
from fittingroom.warp_gen.texture import extend_texture


def test_extend_texture_continues_the_texture_into_the_gap_and_changes_nothing_else() -> None:
    image = np.zeros((40, 60, 3), np.uint8)
    image[:, 30:40] = (255, 255, 255)  # the warped garment's rim: blended with the product photo's backdrop
    stripes = np.arange(30) % 4 < 2  # a striped garment: the texture to go on
    image[:, :30][:, stripes] = (200, 10, 10)
    image[:, :30][:, ~stripes] = (10, 10, 200)
    inside = np.zeros((40, 60), bool)
    inside[:, :32] = True
    silhouette = np.zeros((40, 60), bool)
    silhouette[:, 5:40] = True
    out = extend_texture(image, inside, silhouette)
    gap = out[:, 30:40]
    assert not (gap == 255).all(axis=2).any()  # never the backdrop-blended rim
    assert len({tuple(p) for p in gap[20]}) == 2  # both stripes go on: mirrored, not one smeared edge pixel
    assert np.array_equal(out[:, :29], image[:, :29])
    assert np.array_equal(out[:, 40:], image[:, 40:])


def test_a_gap_wider_than_the_core_beside_it_is_mirrored_on_not_streaked() -> None:
    """A skinny leg's texture (8 px of stripes) in a trouser outline 30 px wider: mirrored again across what was
    filled, the stripes go on to the outline's edge instead of the edge pixel repeated in a streak."""
    image = np.zeros((20, 60, 3), np.uint8)
    stripes = np.arange(60) % 4 < 2
    image[:, stripes] = (200, 10, 10)
    image[:, ~stripes] = (10, 10, 200)
    inside = np.zeros((20, 60), bool)
    inside[:, 26:38] = True  # its 2 px rim each side is the backdrop's blend: an 8 px core
    silhouette = np.zeros((20, 60), bool)
    silhouette[:, 4:56] = True
    out = extend_texture(image, inside, silhouette)
    for far in (out[10, 4:10], out[10, 50:56]):
        assert len({tuple(p) for p in far}) == 2


def _ribbed(height: int = 60, width: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """A tee's front: a dark rib collar (rows 20 to 23) on lilac cloth, its product photo's 2 px rim above."""
    image = np.zeros((height, width, 3), np.uint8)
    image[20:24] = RIB
    image[24:] = CLOTH
    inside = np.zeros((height, width), bool)
    inside[18:] = True
    return image, inside


RIB, CLOTH = (60, 40, 70), (200, 185, 215)


def test_a_top_edge_under_a_higher_outline_goes_up_to_it_not_mirrored_to_twice_its_width() -> None:
    """Dressed into an outline reaching 10 rows above the rib, the rib goes to the outline's top, its own width, and
    the cloth below it fills the strip. Mirrored from the core, the rib showed twice its width under a lilac band."""
    image, inside = _ribbed()
    silhouette = np.zeros(inside.shape, bool)
    silhouette[10:] = True
    out = extend_texture(image, inside, silhouette, left_out=None, top_reach=np.ones_like(inside), top_band_px=6)
    column = out[:, 20]
    assert (column[10:14] == RIB).all()
    assert (column[14:] == CLOTH).all()  # no second rib, nothing of the rib left where it was
    plain = extend_texture(image, inside, silhouette)
    assert (plain[14:20, 20] == RIB).any(axis=1).sum() >= 2  # the old mirror: the rib again above the rib


def test_the_top_edge_stays_where_it_is_off_the_neckline_under_another_piece_or_over_a_print() -> None:
    image, inside = _ribbed()
    silhouette = np.zeros(inside.shape, bool)
    silhouette[10:] = True
    reach = np.ones_like(inside)
    plain = extend_texture(image, inside, silhouette)
    # Off the neckline (`top_reach`): beside the torso a column's top is an arm's edge.
    assert np.array_equal(extend_texture(image, inside, silhouette, None, np.zeros_like(inside), 6), plain)
    # Under another piece of the garment, the gap between them its own (a strap's end above a neckline).
    pieces = inside.copy()
    pieces[2:10] = True
    tall = np.zeros(inside.shape, bool)
    tall[2:] = True
    assert np.array_equal(extend_texture(image, pieces, tall, None, reach, 6), extend_texture(image, pieces, tall))
    # Over a print: the cloth that would be mirrored into the strip is more than a speck of something else.
    printed = image.copy()
    printed[26:40:2, :] = (250, 120, 20)
    assert np.array_equal(extend_texture(printed, inside, silhouette, None, reach, 6),
                          extend_texture(printed, inside, silhouette))


def test_the_box_holds_all_of_the_mask_and_no_more() -> None:
    mask = np.zeros((30, 50), bool)
    mask[4, 7] = mask[12, 30] = mask[20, 11] = True
    assert mask_box(mask) == (slice(4, 21), slice(7, 31))
    mask[:] = False
    assert mask[mask_box(mask)].size == 0  # none: an empty box
    mask[29, 49] = True  # at the frame's corner
    assert mask_box(mask) == (slice(29, 30), slice(49, 50))


def test_a_small_garment_in_a_large_frame_fills_as_in_its_own_box() -> None:
    """The mirror passes read the distance to the core in the box round the core and the gap: a sleeve on a large
    product photo fills its gap pixel for pixel as the same sleeve cut out to its box, wherever it lies."""
    rng = np.random.default_rng(3)
    sleeve = np.zeros((40, 30, 3), np.uint8)
    sleeve[:] = rng.integers(0, 255, (40, 30, 3))
    yy, xx = np.mgrid[:40, :30]
    inside = (yy - 20) ** 2 / 15**2 + (xx - 15) ** 2 / 8**2 <= 1
    silhouette = (yy - 20) ** 2 / 19**2 + (xx - 15) ** 2 / 14**2 <= 1
    alone = extend_texture(sleeve, inside, silhouette)
    for top, left in ((0, 0), (50, 70), (80, 120)):
        frame = np.zeros((120, 150, 3), np.uint8)
        frame[top:top + 40, left:left + 30] = sleeve
        inside_frame, silhouette_frame = np.zeros((120, 150), bool), np.zeros((120, 150), bool)
        inside_frame[top:top + 40, left:left + 30] = inside
        silhouette_frame[top:top + 40, left:left + 30] = silhouette
        out = extend_texture(frame, inside_frame, silhouette_frame)
        assert np.array_equal(out[top:top + 40, left:left + 30], alone)
