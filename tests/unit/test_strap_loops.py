"""The backdrop seen through a camisole's strap loop on its product photo is the strap's, not a white stripe."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common.garment import Category
from fittingroom.segment.garment_landmarks import garment_landmarks
from fittingroom.segment.product import backdrop_pieces, clean_mask, strap_loops
from fittingroom.tryon.classical import ClassicalGarmentPipeline
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.texture import extend_texture

H, W = 512, 384
BACKDROP = (246, 246, 246)
YELLOW = (240, 205, 60)


def _camisole(print_colour: tuple[int, int, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A yellow camisole whose right strap runs up and back down (a loop 3 px wide between two 4 px straps), on
    the photo's backdrop; with `print_colour`, a pale print patch near its left side."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (90, 200), (290, 400), YELLOW, -1)  # the body
    cv2.rectangle(image, (250, 80), (261, 200), YELLOW, -1)  # the strap, up and back down ...
    cv2.rectangle(image, (254, 86), (256, 200), BACKDROP, -1)  # ... round a loop of the backdrop
    cv2.rectangle(image, (110, 80), (118, 200), YELLOW, -1)  # a plain strap
    if print_colour is not None:
        cv2.rectangle(image, (96, 300), (104, 330), print_colour, -1)
    mask = clean_mask(np.any(image != BACKDROP, axis=2))
    return image, mask


def test_the_loop_inside_a_strap_is_found_and_its_colours_become_the_straps() -> None:
    image, mask = _camisole()
    assert mask[150, 255]  # the filled silhouette keeps the loop: the landmarks find the strap by it
    loops = strap_loops(backdrop_pieces(image, mask))
    assert loops[100:190, 255].all()
    assert not loops[:, :200].any() and not loops[250:].any()
    dressed = extend_texture(image, mask > 0, loops, loops)
    assert np.abs(dressed[100:190, 254:257].astype(int) - YELLOW).max() < 10
    assert np.array_equal(dressed[~loops], image[~loops])


def test_a_pale_print_near_the_edge_and_a_white_garment_are_no_loops() -> None:
    image, mask = _camisole(print_colour=(225, 225, 215))  # a print's off-white, not the backdrop itself
    assert not strap_loops(backdrop_pieces(image, mask))[:, :200].any()
    white = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(white, (90, 100), (290, 400), (250, 250, 250), -1)
    cv2.rectangle(white, (90, 100), (290, 400), (200, 200, 200), 2)  # its seam: the outline the mask follows
    white_mask = np.zeros((H, W), np.uint8)
    white_mask[100:401, 90:291] = 1
    assert not strap_loops(backdrop_pieces(white, white_mask)).any()  # its own white lies deep in the cloth


def test_the_classical_texture_is_the_photo_with_its_loops_dressed_and_the_warp_takes_it_as_given() -> None:
    image, mask = _camisole()
    loops = strap_loops(backdrop_pieces(image, mask))
    texture, backdrop = ClassicalGarmentPipeline.texture(image, mask)
    assert np.array_equal(texture, extend_texture(image, mask > 0, loops, loops))
    plain = image.copy()
    plain[86:201, 254:257] = YELLOW  # no loop: the photo itself, not a copy
    assert ClassicalGarmentPipeline.texture(plain, mask)[0] is plain
    pose = frontal_pose()
    request = GarmentRequest(np.full((H, W, 3), 128, np.uint8), image, Category.UPPER)
    marks = garment_landmarks(mask, Category.UPPER)
    given = ClassicalGarmentPipeline.warp(request, pose, mask, marks, texture=(texture, backdrop))
    found = ClassicalGarmentPipeline.warp(request, pose, mask, marks)
    assert np.array_equal(given.image, found.image) and np.array_equal(given.alpha, found.alpha)
    assert given.image[given.alpha > 0.5].any()
    dark = ClassicalGarmentPipeline.warp(request, pose, mask, marks, texture=(np.full_like(image, 30), backdrop))
    assert not np.array_equal(dark.image, found.image)  # the texture given is read, not worked out again
