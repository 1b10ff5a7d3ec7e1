"""A dark sheer garment and the skin seen through it (`sheer.seen_through`), on synthetic photos."""

from __future__ import annotations

import numpy as np

from fittingroom.warp_gen.sheer import seen_through

H, W = 60, 80


def _photo(garment: tuple[int, int, int], through: tuple[int, int, int], skin: tuple[int, int, int]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A garment over the left 60 columns with an arm seen `through` it (columns 20-35), and the shopper's visible
    `skin` (her face) on the right. Returns the image, the garment's mask and the skin's."""
    image = np.full((H, W, 3), garment, np.uint8)
    image[:, 20:35] = through
    image[:, 60:] = skin
    worn = np.zeros((H, W), bool)
    worn[:, :60] = True
    return image, worn, ~worn


def test_the_skin_seen_through_a_dark_mesh_is_its_warmer_pixels_on_a_bright_or_a_dark_exposure() -> None:
    """On the darker copy of a photo the skin through the mesh stands 4 warmth levels above it, the face 29: read
    against a fixed 5 levels the mesh was opaque, against the face's warmth it is sheer as on the brighter one."""
    for through, skin in (((62, 46, 40), (210, 160, 130)), ((44, 40, 38), (150, 118, 104))):
        image, worn, face = _photo((30, 30, 30), through, skin)
        seen = seen_through(image, worn, face)
        assert seen is not None
        assert seen[:, 20:35].all() and not seen[:, :20].any() and not seen[:, 35:].any()


def test_an_opaque_or_a_light_garment_shows_no_skin_through_it() -> None:
    image, worn, face = _photo((30, 30, 30), (36, 34, 33), (210, 160, 130))  # a black top's fold, hardly warmer
    assert seen_through(image, worn, face) is None
    image, worn, face = _photo((200, 170, 150), (220, 180, 150), (210, 160, 130))  # a beige top's lit fold
    assert seen_through(image, worn, face) is None
