"""A collar, read on a top's silhouette, and a collared new garment never dressed into a collarless outline."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import frontal_pose

from fittingroom.common.garment import Category
from fittingroom.warp_gen.fit import GarmentFit, WarpedGarment
from fittingroom.warp_gen.silhouette import collar_stand, compare_shapes, has_collar

# Necklines as (x, y) in shoulder widths from the midpoint between the shoulders (y down), from the wearer's left
# neck side round to the right one; the shoulder seams rise to the neck sides at (+-0.2, -0.3 * slope).
NECKLINES = {
    "crew": [(0.1, 0.03), (0.0, 0.04), (-0.1, 0.03)],  # the back neckline, dipping between the seams' ends
    "high crew": [(0.1, -0.01), (0.0, -0.01), (-0.1, -0.01)],  # a ribbed band level with them
    "polo": [(0.21, -0.12), (0.19, -0.14), (0.0, -0.15), (-0.19, -0.14), (-0.21, -0.12)],  # a collar standing up
    "v": [(0.0, 0.5)],  # no back seen: the V's point, halfway down the chest
}


def _top(neckline: str, *, width: float = 180.0, slope: float = 0.3, angle: float = 0.0,
         centre: tuple[float, float] = (200.0, 120.0), shape: tuple[int, int] = (480, 400)
         ) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
    """A short-sleeved top's silhouette, its shoulder seams dropping `slope` (dy/dx) out from the neck, turned
    `angle` degrees; and its right and left shoulder points (image left and right)."""
    rise = -0.3 * slope
    outline = [(-0.5, 0.0), (-0.75, 0.35), (-0.6, 0.5), (-0.5, 0.45), (-0.5, 1.6), (0.5, 1.6), (0.5, 0.45),
               (0.6, 0.5), (0.75, 0.35), (0.5, 0.0), (0.2, rise)]
    outline += [(x, rise + y) for x, y in NECKLINES[neckline]] + [(-0.2, rise)]
    return _drawn(outline, (-0.5, 0.0), (0.5, 0.0), width, angle, centre, shape)


def _camisole(*, width: float = 180.0, centre: tuple[float, float] = (200.0, 120.0), shape: tuple[int, int] = (480, 400)
              ) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
    """A camisole: straps up from a straight neckline across the chest; its shoulders are the straps' tops."""
    outline = [(-0.45, 0.0), (-0.38, 0.0), (-0.33, 0.35), (0.33, 0.35), (0.38, 0.0), (0.45, 0.0), (0.5, 0.45),
               (0.5, 1.6), (-0.5, 1.6), (-0.5, 0.45)]
    return _drawn(outline, (-0.45, 0.0), (0.45, 0.0), width, 0.0, centre, shape)


def _drawn(outline: list[tuple[float, float]], right: tuple[float, float], left: tuple[float, float], width: float,
           angle: float, centre: tuple[float, float], shape: tuple[int, int]
           ) -> tuple[np.ndarray, tuple[float, float], tuple[float, float]]:
    turn = np.radians(angle)
    rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])

    def placed(points: list[tuple[float, float]]) -> np.ndarray:
        return np.asarray(points) * width @ rotation.T + np.asarray(centre)

    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(placed(outline)).astype(np.int32)], 1)
    (rx, ry), (lx, ly) = placed([right, left])
    return mask, (float(rx), float(ry)), (float(lx), float(ly))


@pytest.mark.parametrize("angle", [0.0, -8.0, 8.0])
@pytest.mark.parametrize("width", [90.0, 180.0])
def test_a_polo_has_a_collar_upright_or_leaning_at_any_size(angle: float, width: float) -> None:
    mask, right, left = _top("polo", width=width, angle=angle)
    assert has_collar(mask, right, left)
    assert collar_stand(mask, right, left) > 0.06
    assert collar_stand(mask, left, right) == pytest.approx(collar_stand(mask, right, left), abs=0.01)  # either order


@pytest.mark.parametrize("neckline", ["crew", "high crew", "v"])
@pytest.mark.parametrize("slope", [0.0, 0.3, 0.6])
def test_crew_and_v_necks_have_none_however_steep_the_shoulders(neckline: str, slope: float) -> None:
    """A tee on a mannequin whose shoulders slope steeply has its back neckline well above the shoulder points,
    as a collar has: but no higher than its seams' line carried in to the neck."""
    mask, right, left = _top(neckline, slope=slope)
    assert not has_collar(mask, right, left)


def test_a_camisole_has_none() -> None:
    mask, right, left = _camisole()
    assert not has_collar(mask, right, left)
    assert collar_stand(mask, right, left) == 0.0


def test_a_warped_garments_soft_rim_counts_from_half() -> None:
    """A warped garment's mask is soft at its edge: a faint fringe over a crew neck's back makes no collar."""
    crew, right, left = _top("crew")
    polo = _top("polo")[0]
    assert has_collar(0.9 * polo.astype(np.float32), right, left)
    assert not has_collar(np.maximum(crew, 0.3 * polo).astype(np.float32), right, left)


def test_an_empty_mask_has_none() -> None:
    assert collar_stand(np.zeros((100, 100), np.uint8), (20.0, 50.0), (80.0, 50.0)) == 0.0


def _on_body(neckline: str) -> np.ndarray:
    """The top on the synthetic shopper (`frontal_pose`: shoulders 90 px apart at row 110), its shoulder points
    a little outside the joints, as a fit puts a sleeved garment's seams."""
    return _top(neckline, width=104.0, centre=(150.0, 105.0), shape=(400, 300))[0]


def _warped(mask: np.ndarray) -> WarpedGarment:
    """`mask` as the warped garment, its shoulder points where `_on_body` drew them."""
    seams = np.array([(98.0, 105.0), (202.0, 105.0)])
    fit = GarmentFit(names=("right_shoulder", "left_shoulder"), source=seams, target=seams, body=np.zeros((0, 2)),
                     limbs=())
    return WarpedGarment(image=np.zeros((*mask.shape, 3), np.uint8), alpha=mask.astype(np.float32), fit=fit,
                         laid=np.zeros(mask.shape, np.uint8))


def _neck_in_front(mask: np.ndarray) -> np.ndarray:
    """`mask` less the neck, which stays in front of a garment: the collar's back is hidden behind it."""
    shown = mask.copy()
    shown[:115, 137:164] = 0
    return shown


def test_a_collared_garment_over_a_collarless_one_is_no_match() -> None:
    pose = frontal_pose()
    tee, polo = _on_body("crew"), _on_body("polo")
    # The neck in front of the polo hides its collar's back: its neckline, as shown, is the tee's.
    assert compare_shapes(tee, _neck_in_front(polo), pose, Category.UPPER).matches
    comparison = compare_shapes(tee, _neck_in_front(polo), pose, Category.UPPER, warped=_warped(polo))
    assert comparison.collar and not comparison.matches


def test_a_collarless_garment_over_any_and_a_collared_over_a_collared_one_still_match() -> None:
    pose = frontal_pose()
    tee, polo = _on_body("crew"), _on_body("polo")
    high_crew = _on_body("high crew")
    assert compare_shapes(tee, _neck_in_front(high_crew), pose, Category.UPPER, warped=_warped(high_crew)).matches
    comparison = compare_shapes(polo, _neck_in_front(polo), pose, Category.UPPER, warped=_warped(polo))
    assert not comparison.collar and comparison.matches
