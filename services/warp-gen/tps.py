"""Thin-plate spline warps (Bookstein 1989), solved in numpy; OpenCV's remap only samples the image.

A TPS is the smoothest map (least bending energy) that sends n control points where they must go:
f(p) = a + A p + sum_i w_i U(|p - c_i|), U(r) = r^2 log r^2. With `regularization` > 0 it trades
exactness at the points for smoothness, and at large values it becomes the least-squares affine map,
which is how a warp from noisy landmarks is kept from folding (`fit_fold_free`). scikit-image's
`ThinPlateSplineTransform` (0.26) only interpolates exactly: it has no regularization, so it cannot
replace this.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

MAP_STEP = 4  # px between the points where a warp's sampling map is evaluated exactly
EVAL_CHUNK = 1 << 18  # points per evaluation batch: bounds the [chunk, n] kernel matrix
# Regularization ladder for fit_fold_free, in normalised units (control points have unit RMS radius).
REGULARIZATIONS = (0.0, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1.0, 10.0, 1e4)
# Smallest local area ratio (Jacobian determinant over its median) a warp may have anywhere it is probed:
# below it a region is squeezed to a sliver, at zero or less it folds over itself.
MIN_AREA_RATIO = 0.15


def _kernel(squared: np.ndarray) -> np.ndarray:
    """U(r) = r^2 log r^2 of squared distances, with U(0) = 0 (its limit)."""
    out = np.zeros_like(squared)
    positive = squared > 0
    out[positive] = squared[positive] * np.log(squared[positive])
    return out


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))


@dataclass(frozen=True)
class ThinPlateSpline:
    """A fitted TPS from the domain (where its control points live) to the range, in pixels."""

    centres: np.ndarray  # [n, 2] control points, normalised: (p - origin) / scale
    weights: np.ndarray  # [n, 2] kernel weights
    affine: np.ndarray  # [3, 2] rows: constant, x, y
    origin: np.ndarray  # [2]
    scale: float

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Map [m, 2] points (x, y) to [m, 2]."""
        flat = np.asarray(points, np.float64).reshape(-1, 2)
        out = np.empty_like(flat)
        for start in range(0, len(flat), EVAL_CHUNK):
            p = (flat[start:start + EVAL_CHUNK] - self.origin) / self.scale
            bend = _kernel(_squared_distances(p, self.centres)) @ self.weights
            out[start:start + EVAL_CHUNK] = bend + self.affine[0] + p @ self.affine[1:]
        return out

    def jacobian_determinant(self, points: np.ndarray, step: float = 0.5) -> np.ndarray:
        """Local area scale of the map at each point (central differences); <= 0 where it folds."""
        p = np.asarray(points, np.float64).reshape(-1, 2)
        dx, dy = np.array([step, 0.0]), np.array([0.0, step])
        fx = (self(p + dx) - self(p - dx)) / (2 * step)
        fy = (self(p + dy) - self(p - dy)) / (2 * step)
        return np.asarray(fx[:, 0] * fy[:, 1] - fx[:, 1] * fy[:, 0])


def fit_tps(source: np.ndarray, target: np.ndarray, regularization: float = 0.0) -> ThinPlateSpline:
    """The TPS that maps each source point to its target point (exactly when regularization is 0)."""
    src = np.asarray(source, np.float64).reshape(-1, 2)
    dst = np.asarray(target, np.float64).reshape(-1, 2)
    if src.shape != dst.shape or len(src) < 3:
        raise ValueError(f"a TPS needs at least 3 point pairs of equal count, got {len(src)} and {len(dst)}")
    origin = src.mean(axis=0)
    # Normalising the domain keeps the kernel well conditioned and makes `regularization` unit-free.
    scale = float(np.sqrt(((src - origin) ** 2).sum(axis=1).mean())) or 1.0
    centres = (src - origin) / scale
    n = len(centres)
    system = np.zeros((n + 3, n + 3))
    system[:n, :n] = _kernel(_squared_distances(centres, centres)) + regularization * np.eye(n)
    system[:n, n] = 1.0
    system[:n, n + 1:] = centres
    system[n:, :n] = system[:n, n:].T
    rhs = np.zeros((n + 3, 2))
    rhs[:n] = dst
    try:
        solution = np.linalg.solve(system, rhs)
    except np.linalg.LinAlgError:  # collinear control points: the affine part is underdetermined, not impossible
        solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
    return ThinPlateSpline(centres=centres, weights=solution[:n], affine=solution[n:], origin=origin, scale=scale)


def fit_fold_free(source: np.ndarray, target: np.ndarray, probes: np.ndarray) -> ThinPlateSpline:
    """The least regularized TPS source -> target that neither folds nor crushes anywhere on `probes`.

    Landmarks found on a garment and on a body disagree in ways a person would not (a sleeve pointing
    up, a hem corner on the wrong side): an exact spline then folds the garment over itself. Raising
    the regularization bends it less, down to a plain affine map.
    """
    tps = fit_tps(source, target)
    for regularization in REGULARIZATIONS:
        tps = fit_tps(source, target, regularization)
        det = tps.jacobian_determinant(probes)
        reference = float(np.median(det))
        if reference > 0 and float(det.min()) >= MIN_AREA_RATIO * reference:
            return tps
    return tps


def pixel_grid(shape: tuple[int, int]) -> np.ndarray:
    """[h * w, 2] (x, y) of every pixel, row-major."""
    ys, xs = np.mgrid[0:shape[0], 0:shape[1]]
    return np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float64)


def sampling_maps(inverse: ThinPlateSpline, shape: tuple[int, int],
                  step: int = MAP_STEP) -> tuple[np.ndarray, np.ndarray]:
    """cv2.remap maps for an output of `shape`: `inverse` sends each output pixel to where it samples.

    The spline is evaluated every `step` pixels and interpolated in between (a TPS is smooth: the error is
    a small fraction of a pixel), which is `step`^2 times less work than evaluating every pixel.
    """
    height, width = shape
    if step <= 1:
        where = inverse(pixel_grid(shape)).astype(np.float32)
        return where[:, 0].reshape(shape), where[:, 1].reshape(shape)
    # Samples at the positions cv2.resize's bilinear upscaling by `step` assumes (pixel centres), with one
    # extra ring outside so that no output pixel falls in resize's clamped border; float32 throughout.
    rows, cols = -(-height // step) + 2, -(-width // step) + 2
    ys = (step - 1) / 2 + (np.arange(rows) - 1) * step
    xs = (step - 1) / 2 + (np.arange(cols) - 1) * step
    coarse = inverse(np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)).astype(np.float32).reshape(rows, cols, 2)
    dense = cv2.resize(coarse, (cols * step, rows * step), interpolation=cv2.INTER_LINEAR)
    dense = dense[step:step + height, step:step + width]
    return np.ascontiguousarray(dense[..., 0]), np.ascontiguousarray(dense[..., 1])


def remap(image: np.ndarray, maps: tuple[np.ndarray, np.ndarray], border: float | tuple[float, ...] = 0) -> np.ndarray:
    """Sample `image` bilinearly at the maps' positions; outside the image reads `border`."""
    return np.asarray(cv2.remap(image, maps[0], maps[1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=border))
