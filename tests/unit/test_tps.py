"""Thin-plate spline: exact where it must be, the identity when nothing moves, never folding when asked not to."""

from __future__ import annotations

import numpy as np
import pytest

from fittingroom.warp_gen.tps import (
    MIN_AREA_RATIO,
    fit_fold_free,
    fit_tps,
    pixel_grid,
    remap,
    sampling_maps,
)

RNG_SEED = 3


def _controls(n: int = 12, seed: int = RNG_SEED) -> np.ndarray:
    return np.random.default_rng(seed).uniform(20, 280, (n, 2))


def _grid(lo: float = 20, hi: float = 280, step: float = 10) -> np.ndarray:
    ys, xs = np.mgrid[lo:hi:step, lo:hi:step]
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)


def test_identical_point_sets_give_the_identity() -> None:
    points = _controls()
    tps = fit_tps(points, points)
    probe = np.random.default_rng(4).uniform(-50, 350, (500, 2))
    np.testing.assert_allclose(tps(probe), probe, atol=1e-8)
    np.testing.assert_allclose(tps.weights, 0.0, atol=1e-9)


def test_exact_at_control_points() -> None:
    source = _controls()
    target = source + np.random.default_rng(5).normal(0, 15, source.shape)
    np.testing.assert_allclose(fit_tps(source, target)(source), target, atol=1e-6)


def test_an_affine_motion_is_reproduced_everywhere_without_bending() -> None:
    source = _controls()
    matrix, shift = np.array([[1.2, 0.3], [-0.2, 0.9]]), np.array([14.0, -7.0])
    tps = fit_tps(source, source @ matrix.T + shift)
    probe = _grid(-100, 400, 25)
    np.testing.assert_allclose(tps(probe), probe @ matrix.T + shift, atol=1e-6)
    np.testing.assert_allclose(tps.weights, 0.0, atol=1e-8)


def test_distortion_is_bounded_by_the_control_motion() -> None:
    """Control points moved by at most d move no point between them by much more than d."""
    source = _grid(40, 260, 55)
    for seed in range(5):
        motion = np.random.default_rng(seed).uniform(-1, 1, source.shape) * 12.0
        largest = float(np.linalg.norm(motion, axis=1).max())
        tps = fit_tps(source, source + motion)
        inside = _grid(40, 221, 3)
        displacement = np.linalg.norm(tps(inside) - inside, axis=1)
        assert displacement.max() <= 1.5 * largest
        assert tps.jacobian_determinant(inside).min() > 0  # small motions never fold


def test_regularization_approaches_the_least_squares_affine_map() -> None:
    source = _controls()
    target = source + np.random.default_rng(6).normal(0, 20, source.shape)
    design = np.hstack([np.ones((len(source), 1)), source])
    affine = np.linalg.lstsq(design, target, rcond=None)[0]
    probe = _grid(20, 280, 40)
    stiff = fit_tps(source, target, regularization=1e10)
    np.testing.assert_allclose(stiff(probe), np.hstack([np.ones((len(probe), 1)), probe]) @ affine, atol=0.05)


def test_fold_free_fit_unfolds_crossed_landmarks() -> None:
    source = _grid(50, 251, 50)
    target = source.copy()
    # Two neighbours swap places: an exact spline must turn that patch inside out.
    a, b = 12, 13
    target[[a, b]] = target[[b, a]]
    probes = _grid(50, 251, 5)
    exact = fit_tps(source, target)
    assert exact.jacobian_determinant(probes).min() < 0
    safe = fit_fold_free(source, target, probes)
    det = safe.jacobian_determinant(probes)
    assert det.min() >= MIN_AREA_RATIO * np.median(det) > 0


def test_fold_free_fit_stays_exact_when_nothing_folds() -> None:
    source = _grid(50, 251, 50)
    target = source * 1.1 + 5
    safe = fit_fold_free(source, target, _grid(50, 251, 5))
    np.testing.assert_allclose(safe(source), target, atol=1e-6)


def test_sampling_maps_and_remap_move_an_image() -> None:
    image = np.zeros((40, 60, 3), np.uint8)
    image[10:20, 10:30] = (200, 100, 50)
    source = np.array([[0, 0], [59, 0], [0, 39], [59, 39]], np.float64)
    # The inverse map: each output pixel reads the input 5 px left and 3 px up of itself.
    inverse = fit_tps(source, source - np.array([5.0, 3.0]))
    moved = remap(image, sampling_maps(inverse, (40, 60)))
    assert (moved[13:23, 15:35] == (200, 100, 50)).all()
    assert (moved[:13] == 0).all() and (moved[:, :15] == 0).all()


@pytest.mark.parametrize("shape", [(512, 512), (401, 333), (7, 5)])
def test_coarse_sampling_maps_match_the_exact_spline(shape: tuple[int, int]) -> None:
    source = np.random.default_rng(1).uniform(50, 450, (10, 2))
    target = source + np.random.default_rng(2).normal(0, 25, source.shape)
    inverse = fit_tps(target, source)
    exact, coarse = sampling_maps(inverse, shape, step=1), sampling_maps(inverse, shape)
    assert max(np.abs(exact[0] - coarse[0]).max(), np.abs(exact[1] - coarse[1]).max()) < 0.5


def test_pixel_grid_is_row_major_xy() -> None:
    grid = pixel_grid((2, 3))
    assert grid.tolist() == [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1]]


def test_too_few_points_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 3"):
        fit_tps(np.zeros((2, 2)), np.zeros((2, 2)))
