"""A garment's texture carried into the gaps round its core: mirrored, not smeared."""

from __future__ import annotations

import numpy as np

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
