"""A washed, mottled or all-over printed old garment gives the new one its folds and broad light, not its wash."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.warp_gen.albedo import FOLD_EXTENT, unwashed
from fittingroom.warp_gen.dress import PLAIN_SPREAD, worn_shading

SIDE = 256
FOLD_X = 90  # a soft vertical fold's shadow runs down here
FLAT = (slice(40, 216), slice(40, 70))  # left of the fold, before the shadow side: only the wash varies there


def _light() -> np.ndarray:
    """float32 SIDExSIDE: a garment's light: lit on the left, its right third in the body's shadow side, and one
    long fold (a third darker at its middle, 8 px wide)."""
    x = np.arange(SIDE, dtype=np.float32)
    shadow_side = 1.0 - 0.3 / (1.0 + np.exp(-(x - 170) / 12.0))
    fold = 1.0 - 0.35 * np.exp(-0.5 * ((x - FOLD_X) / 4.0) ** 2)
    light = np.tile(shadow_side, (SIDE, 1))
    light[40:216] *= fold
    return light.astype(np.float32)


def _wash(shape: tuple[int, int] = (SIDE, SIDE), seed: int = 0) -> np.ndarray:
    """float32: a stonewash's albedo: blotches and mottle a few px to about 10 px across, ±8 % (log)."""
    rng = np.random.default_rng(seed)
    wash = np.zeros(shape, np.float32)
    for cells in (24, 64):
        noise = rng.normal(0, 1, (cells, cells)).astype(np.float32)
        wash += cv2.resize(noise, shape[::-1], interpolation=cv2.INTER_CUBIC)
    return np.exp(0.08 * wash / wash.std()).astype(np.float32)


def _garment(albedo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    worn = np.zeros((SIDE, SIDE), np.uint8)
    worn[20:236, 20:236] = 1
    grey = np.clip(170 * _light() * albedo, 0, 255)
    person = np.full((SIDE, SIDE, 3), 128, np.uint8)
    person[worn > 0] = np.repeat(grey[..., None], 3, axis=2)[worn > 0].astype(np.uint8)
    return person, worn


def _fold_depth(light: np.ndarray) -> float:
    return float(np.median(light[60:200, FOLD_X - 14]) - np.median(light[60:200, FOLD_X]))


def _shadow_side(light: np.ndarray) -> float:
    return float(np.median(light[60:200, 200:230]) / np.median(light[60:200, 40:70]))


def test_a_stonewashed_garment_gives_its_folds_and_shadow_side_but_not_its_wash() -> None:
    plain_light = worn_shading(*_garment(np.ones((SIDE, SIDE), np.float32)), strength=1.0)
    washed_person, worn = _garment(_wash())
    light = worn_shading(washed_person, worn, strength=1.0)
    carried_wash = float(np.log(light[FLAT] / plain_light[FLAT]).std())
    assert carried_wash < 0.25 * float(np.log(_wash()[FLAT]).std())  # of the wash's blotches, little is left
    assert _fold_depth(plain_light) > 0.25
    assert _fold_depth(light) > 0.8 * _fold_depth(plain_light)  # the fold is kept
    assert _shadow_side(plain_light) < 0.8
    assert abs(_shadow_side(light) - _shadow_side(plain_light)) < 0.02  # so is the body's shadow side
    np.testing.assert_array_equal(worn_shading(washed_person, worn, strength=1.0), light)  # deterministic


def test_a_plain_garments_light_is_kept_as_it_is() -> None:
    # Flat but for one long crease: most of it does not vary at all.
    detail = np.ones((SIDE, SIDE), np.float32)
    detail[:, 100:103] = 0.7
    core = np.ones((SIDE, SIDE), bool)
    assert unwashed(detail, core, PLAIN_SPREAD[1], SIDE) is detail
    np.testing.assert_array_equal(unwashed(_wash(), core, float("inf"), SIDE), _wash())  # the body's light: all of it


def test_a_washs_blotches_and_its_isolated_extremes_go_but_a_long_fold_stays() -> None:
    detail = _wash(seed=1) ** 1.5  # ±12 %: a heavy wash
    fold = np.zeros((SIDE, SIDE), bool)
    fold[30:220, 120:124] = True  # a crease, far longer than FOLD_EXTENT of the side
    detail[fold] *= 0.6
    spots = np.zeros((SIDE, SIDE), np.uint8)
    for x, y in ((50, 60), (200, 80), (60, 200)):  # blotches as dark as the crease, but compact
        cv2.circle(spots, (x, y), 3, 1, -1)
    assert FOLD_EXTENT * SIDE > 7  # a spot 7 px across is no run
    detail[spots > 0] *= 0.6
    core = np.ones((SIDE, SIDE), bool)
    light = np.log(unwashed(detail, core, PLAIN_SPREAD[1], SIDE))
    rest = ~fold & (cv2.dilate(spots, np.ones((3, 3), np.uint8)) == 0)
    assert light[rest].std() < 0.1 * np.log(detail[rest]).std()
    assert np.abs(light[spots > 0]).max() < 0.02  # no stains
    assert np.median(light[fold]) < 0.6 * np.log(0.6)  # the crease: most of its depth
