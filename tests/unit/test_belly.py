"""The light a bared belly takes from the pose (`belly_light`), and the crop top's hem that does not make the
midriff's corner an arm's side (`arm_strips`), on synthetic images."""

from __future__ import annotations

import numpy as np
from poses import frontal_pose

from fittingroom.common import landmarks as lm
from fittingroom.warp_gen.belly import NAVEL_LEVEL, belly_light
from fittingroom.warp_gen.dress import arm_strips

H, W = 400, 300


def test_the_navel_is_a_hollow_on_the_bodys_axis_with_its_lower_rim_lit() -> None:
    light = belly_light(frontal_pose(), (H, W))  # shoulders on row 110, hips on 230: the axis is column 150
    navel = round(110 + NAVEL_LEVEL * 120)
    darkest = np.unravel_index(int(np.argmin(light)), light.shape)
    assert darkest[1] == 150 and abs(int(darkest[0]) - navel) <= 2
    assert light[darkest] < 0.85
    assert light[navel + 3:navel + 7, 150].max() > 1.0  # the lower rim catches the light
    assert np.allclose(light[:, :120], 1.0, atol=1e-3) and np.allclose(light[:, 180:], 1.0, atol=1e-3)
    assert np.allclose(light[:130], 1.0, atol=1e-3) and np.allclose(light[220:], 1.0, atol=1e-3)


def test_the_groove_above_the_navel_runs_down_the_middle_and_fades_at_its_ends() -> None:
    light = belly_light(frontal_pose(), (H, W))
    middle = light[165, 150]
    assert middle < 0.98 and light[165, 140] > middle + 0.02  # beside it, lighter
    assert light[145, 150] > middle  # fading in below the breastbone


def test_a_leaning_torsos_navel_is_on_its_own_axis() -> None:
    # Hips 30 px right of the shoulders: the axis leans, and so does the navel off the shoulders' column.
    pose = frontal_pose({lm.LEFT_HIP: (210, 230), lm.RIGHT_HIP: (150, 230)})
    light = belly_light(pose, (H, W))
    row, column = np.unravel_index(int(np.argmin(light)), light.shape)
    expected = 150 + 30 * (int(row) - 110) / 120
    assert abs(int(column) - expected) <= 2


def test_the_midriff_below_a_crop_tops_hem_beside_an_arm_is_no_strip_of_that_arm() -> None:
    """A strip is skin between an arm and the new garment's side, along its rows: the bared midriff's corner below the
    hem, by a hanging arm, is near the garment too (drawn as the arm's side, it was a darker block cut off square)."""
    across = np.tile(np.abs(np.arange(40, dtype=np.float32) - 5) / 5, (30, 1))
    fitted = across <= 1.0  # an arm on columns 0..10
    garment = np.zeros_like(fitted)
    garment[:10, 14:] = True  # the crop top, its side 3 cells off the arm, its hem on row 10
    bare = ~fitted & ~garment
    found, _ = arm_strips(fitted, fitted, bare, garment, across, 3.0)
    assert found[:10, 11:14].all()  # between the arm and the top's side: the arm's turning side
    assert not found[11:, 11:14].any()  # below the hem: the midriff


def test_the_last_row_of_a_sloping_hem_beside_an_arm_is_no_strip_of_that_arm() -> None:
    """A crop top's hem slopes down to a hanging arm: its last row of cells is both garment and skin (the repaint
    reaches under its edge), with the hem beside it along the row. Read as the arm's side, that row was a block of arm
    tone in the midriff's corner, cut off in the grid's steps."""
    across = np.tile(np.abs(np.arange(40, dtype=np.float32) - 5) / 5, (30, 1))
    fitted = across <= 1.0  # an arm on columns 0..10
    garment = np.zeros_like(fitted)
    garment[:10, 14:] = True  # the crop top, its side 3 cells off the arm
    garment[10, 11:] = True  # its hem's last row, sloping down to the arm
    bare = ~fitted & ~garment
    bare[10, 11:] = True  # the repainted midriff reaching under the hem's edge
    found, _ = arm_strips(fitted, fitted, bare, garment, across, 3.0)
    assert found[:10, 11:14].all()  # between the arm and the top's side: the arm's turning side
    assert not found[10:, 11:14].any()  # under the hem's last row and below it: the midriff
