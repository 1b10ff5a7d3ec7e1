"""The light the new garment takes from the old one: folds and broad light, not the old one's print."""

from __future__ import annotations

import numpy as np

from fittingroom.warp_gen.albedo import print_correction, unprinted_shading
from fittingroom.warp_gen.compose import shading
from fittingroom.warp_gen.dress import worn_shading

HEIGHT, WIDTH = 256, 200
FOLD_X = 140  # a soft vertical fold's shadow runs down here


def _garment(colour: tuple[int, int, int] = (230, 230, 230)) -> tuple[np.ndarray, np.ndarray]:
    """A plain garment on a grey backdrop, with a soft fold (half as bright at its middle, 12 px wide)."""
    worn = np.zeros((HEIGHT, WIDTH), np.uint8)
    worn[30:230, 30:170] = 1
    fold = 1.0 - 0.5 * np.exp(-0.5 * ((np.arange(WIDTH) - FOLD_X) / 4.0) ** 2)
    cloth = np.asarray(colour, np.float32)[None, None, :] * fold[None, :, None]
    person = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    person[worn > 0] = np.broadcast_to(cloth, (HEIGHT, WIDTH, 3))[worn > 0].astype(np.uint8)
    return person, worn


def _print_letters(person: np.ndarray) -> np.ndarray:
    """bool HxW: a word of black letters (2 px strokes, 10 px tall) printed on the chest of `person`."""
    letters = np.zeros(person.shape[:2], bool)
    for left in range(50, 120, 9):  # seven letters: an outline box each, some with a bar across
        letters[70:80, left:left + 2] = letters[70:80, left + 5:left + 7] = True
        letters[70:72, left:left + 7] = letters[78:80, left:left + 7] = True
        if left % 2:
            letters[74:76, left:left + 7] = True
    person[letters] = (25, 25, 25)
    return letters


def test_a_printed_word_is_taken_out_of_the_light_but_the_fold_stays() -> None:
    person, worn = _garment()
    plain_light = worn_shading(person, worn, strength=1.0)
    letters = _print_letters(person)
    light = worn_shading(person, worn, strength=1.0)
    # The print's contrast in the old garment's luminance: its letters at the floor of the range, 0.35.
    assert float(shading(person, worn)[letters].mean()) < 0.4
    assert float(light[60:90, 45:125].max() - light[65:85, 50:113].min()) < 0.05  # of 0.65: a small fraction
    fold_depth = plain_light[150, 60] - plain_light[150, FOLD_X]
    assert fold_depth > 0.3
    assert abs((light[150, 60] - light[150, FOLD_X]) - fold_depth) < 0.02  # the fold is kept as it was
    assert np.abs(light - plain_light)[worn > 0].max() < 0.05  # as if nothing had been printed
    np.testing.assert_array_equal(worn_shading(person, worn, strength=1.0), light)  # deterministic


def test_a_two_tone_garment_gives_no_step_at_its_colour_boundary() -> None:
    person, worn = _garment()
    falloff = np.linspace(1.1, 0.8, HEIGHT)[:, None, None]  # the light falls off down the garment
    navy = np.clip(np.array([40, 50, 110], np.float32) * falloff, 0, 255)
    white = np.clip(np.array([235, 235, 235], np.float32) * falloff, 0, 255)
    tones = np.where(np.arange(HEIGHT)[:, None, None] < 120, white, navy)
    tones = np.broadcast_to(tones, (HEIGHT, WIDTH, 3))
    person[worn > 0] = tones[worn > 0].astype(np.uint8)
    light = worn_shading(person, worn, strength=1.0)
    column = light[40:220, 80]
    assert abs(float(light[118, 80] - light[122, 80])) < 0.02  # a step of over 4x in its luminance
    assert float(np.abs(np.diff(column)).max()) < 0.01  # nowhere a step down the garment
    assert column[0] > column[-1] + 0.1  # the light falling off is kept


def test_a_plain_garments_light_is_its_luminance_as_before() -> None:
    person, worn = _garment((120, 90, 60))
    assert (print_correction(person, worn) == 1.0).all()
    np.testing.assert_array_equal(unprinted_shading(person, worn), shading(person, worn))
    assert (print_correction(person, np.zeros_like(worn)) == 1.0).all()


def test_a_long_sharp_shadow_edge_is_light_not_print() -> None:
    # An arm's shadow across the whole garment: a steep grey step, but far longer than any letter.
    person, worn = _garment()
    person[:, 100:][worn[:, 100:] > 0] //= 2
    assert (print_correction(person, worn) == 1.0).all()


def test_a_garment_at_the_photos_edge_or_of_one_pixel_is_handled() -> None:
    # A two-tone garment filling a photo of odd sizes, up to its border.
    person = np.full((255, 199, 3), (40, 50, 110), np.uint8)
    person[:, :100] = (235, 235, 235)
    worn = np.ones((255, 199), np.uint8)
    light = worn_shading(person, worn, strength=1.0)
    assert np.isfinite(light).all() and abs(float(light[100, 98] - light[100, 101])) < 0.02
    dot = np.zeros_like(worn)
    dot[5, 5] = 1
    assert np.isfinite(worn_shading(person, dot)).all()


def test_a_colour_logo_across_a_fold_leaves_the_fold_and_takes_the_logo_out() -> None:
    person, worn = _garment()
    plain_light = worn_shading(person, worn, strength=1.0)
    # A red patch printed across the fold: its colour changes where it starts, the fold's shade runs on.
    fold = person[100:140, 115:165].astype(np.float32) / 230.0
    person[100:140, 115:165] = (np.array([200, 30, 40], np.float32) * fold).astype(np.uint8)
    light = worn_shading(person, worn, strength=1.0)
    assert np.abs(light - plain_light)[worn > 0].max() < 0.05
    assert float(plain_light[120, 125] - plain_light[120, FOLD_X]) > 0.3  # the fold, through the patch
