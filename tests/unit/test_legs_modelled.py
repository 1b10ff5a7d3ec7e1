"""Legs a shorter garment bares where the photo shows little or none of them: measured at the ankles below trousers
cropped there, and painted with the grain and lit tone of the shopper's own skin (tests/poses.py's FRONTAL shopper:
hips at row 230, knees at 310, ankles at 385)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from poses import FRONTAL, frontal_pose
from test_legs import BACKDROP, DRESS, FACE_SKIN, HIP_JOINTS, LEG_SKIN, NEW_HEM, H, W, _leg_x

from fittingroom.common import landmarks as lm
from fittingroom.common.body import LEG_SEEN
from fittingroom.segment.legs import KNEE_WIDTH, leg_shapes
from fittingroom.segment.worn_garment import bare_body
from fittingroom.warp_gen.dress import repaint_uncovered

ANKLE = int(FRONTAL[lm.LEFT_ANKLE][1])
KNEE = int(FRONTAL[lm.LEFT_KNEE][1])


def test_trousers_cropped_at_the_ankle_give_the_legs_the_ankles_widths() -> None:
    """The old hem just above the ankles: the ankles between it and the sole are all the photo shows of the legs; the
    bared shins are shaped to them, not to the hip joints' default (two tubes twice as wide as the ankles)."""
    ankle_width, hem = 12, ANKLE - 10
    person = np.zeros((H, W), np.float32)
    trousers = np.zeros((H, W), np.uint8)
    trousers[200:hem, 95:205] = 1
    for leg in (0, 1):
        for y in range(hem - 5, ANKLE + 12):
            x = round(_leg_x(leg, y, 0.0))
            person[y, x - ankle_width // 2:x - ankle_width // 2 + ankle_width] = 1.0
    person[trousers > 0] = 1.0
    legs = leg_shapes(frontal_pose(), (H, W), person, trousers)
    assert (legs == LEG_SEEN).any()  # the ankles are measured
    knee = [int((leg[KNEE] > 0).sum()) for leg in legs]
    assert max(knee) < 0.7 * KNEE_WIDTH * HIP_JOINTS  # a knee as the ankles make it, not the default
    seen_widths = [(leg[ANKLE] > 0).sum() for leg in legs]
    assert seen_widths == pytest.approx([ankle_width] * 2, abs=2)


def _feet_shopper(feet: np.ndarray) -> tuple[np.ndarray, ...]:
    """Trousers to the shoes, `feet` (10x21x3 colours) painted below each leg: image, skin, trousers, legs."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.circle(image, (150, 60), 30, FACE_SKIN, -1)
    trousers = np.zeros((H, W), np.uint8)
    trousers[200:ANKLE + 2, 95:205] = 1
    image[trousers > 0] = DRESS
    for leg in (0, 1):
        x = round(_leg_x(leg, ANKLE, 0.0))
        image[ANKLE + 2:ANKLE + 12, x - 10:x + 11] = feet
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    skin = ((person > 0) & (trousers == 0)).astype(np.uint8)
    return image, skin, trousers, leg_shapes(frontal_pose(), (H, W), person, trousers)


def _shorts(image: np.ndarray, skin: np.ndarray, trousers: np.ndarray, legs: np.ndarray) -> np.ndarray:
    shorts = trousers.copy()
    shorts[NEW_HEM:] = 0
    uncovered = (trousers > 0) & (shorts == 0)
    return repaint_uncovered(image, uncovered, bare_body(frontal_pose(), (H, W), legs), skin, trousers > 0,
                             cover=shorts, legs=legs)


def test_legs_no_photo_shows_take_the_grain_of_the_feet_below_them() -> None:
    """Without a visible leg to read the skin's grain from, the bared legs take the feet's: smooth, they read as
    plastic beside the shopper's own skin."""
    noise = np.random.default_rng(0).normal(0.0, 0.05, (10, 21, 1))
    out = _shorts(*_feet_shopper(np.round(np.array(LEG_SKIN) * (1.0 + noise)).astype(np.uint8)))
    x = round(_leg_x(0, 350, 0.0))
    patch = cv2.cvtColor(out[340:360, x - 4:x + 5], cv2.COLOR_RGB2GRAY).astype(np.float32)
    fine = patch - cv2.GaussianBlur(patch, (0, 0), 2.0)
    assert float(np.std(fine)) > 1.0


def test_legs_no_photo_shows_take_the_lit_tone_of_feet_shaded_by_their_shoes() -> None:
    """Most of the feet a shoe's opening shows lies in its shade: the bared legs take their lit tone, not their
    median (a darker, more saturated tan than the shopper's skin)."""
    feet = np.tile(np.array(LEG_SKIN, np.float64), (10, 21, 1))
    feet[:6] *= 0.6  # under the shoe's upper and straps
    out = _shorts(*_feet_shopper(np.round(feet).astype(np.uint8)))
    span = np.flatnonzero(_feet_shopper(np.round(feet).astype(np.uint8))[3][0][350] > 0)
    mean = out[350, span].astype(np.float32).mean(axis=0)
    assert np.abs(mean - LEG_SKIN).max() <= 0.1 * max(LEG_SKIN)


def test_legs_that_part_below_where_they_touch_shade_each_other_as_they_part() -> None:
    """Thighs together, parting towards the knees: the shade each casts on the other fades as the gap between them
    widens, with no step where the backdrop begins to show between them."""
    from fittingroom.warp_gen.limb_light import leg_skin, limb_profile

    legs = np.zeros((2, H, W), np.uint8)
    for y in range(250, 350):
        gap = max(y - 300, 0) // 10  # touching down to row 300, then parting a pixel every ten rows
        legs[0, y, 150 + gap:180 + gap] = 1
        legs[1, y, 120 - gap:150 - gap] = 1
    to_skin = (legs > 0).any(axis=0)
    painted = np.zeros((H, W, 3), np.float32)
    person = np.full((H, W, 3), BACKDROP, np.uint8)
    modelled = limb_profile(np.array(LEG_SKIN, np.float32), 0.8, 1.3)
    out = leg_skin(painted, person, to_skin, legs, np.zeros((H, W), np.uint8), modelled).mean(axis=2)
    for row, gap in ((295, 0), (322, 2)):
        inner, outer = out[row, 150 + gap], out[row, 179 + gap]
        assert inner < 0.93 * outer  # the side towards the other leg is shaded, the outer one not
    assert out[322, 152] < out[345, 154]  # less as they part


def test_thighs_together_part_without_a_step() -> None:
    """Below the crotch the backdrop between the thighs opens from a point, not at once as a notch as wide as the
    narrowest gap the legs keep."""
    from test_legs import _pose, _shopper

    from fittingroom.segment.legs import TOUCH

    _, person, dress, _ = _shopper(spread=6.0)
    legs = leg_shapes(_pose(), (H, W), person, dress)
    gaps = []
    for y in range(int(FRONTAL[lm.LEFT_HIP][1]), KNEE):
        right, left = np.flatnonzero(legs[0][y]), np.flatnonzero(legs[1][y])
        gaps.append(int(right.min() - left.max() - 1))
    opened = [gap for gap in gaps if gap > 0]
    knee = int((legs[0][KNEE] > 0).sum())
    assert opened[0] < TOUCH * knee  # narrower on its first row than the narrowest gap the legs keep


def test_bared_skin_closing_the_top_of_the_gap_between_the_legs_is_painted_as_their_inner_sides() -> None:
    """The rounded bared outline closes the narrow top of the gap where the legs part: those pixels are the legs'
    shaded inner sides, not the torso's paint (a pale tongue between them)."""
    from fittingroom.warp_gen.limb_light import leg_skin, limb_profile

    legs = np.zeros((2, H, W), np.uint8)
    legs[0, 250:350, 153:183] = 1
    legs[1, 250:350, 117:147] = 1  # 6 px apart
    to_skin = (legs > 0).any(axis=0)
    to_skin[250:300, 147:153] = True  # the gap's top, closed
    painted = np.full((H, W, 3), 250.0, np.float32)
    modelled = limb_profile(np.array(LEG_SKIN, np.float32), 0.8, 1.3)
    out = leg_skin(painted, np.full((H, W, 3), BACKDROP, np.uint8), to_skin, legs, np.zeros((H, W), np.uint8),
                   modelled).mean(axis=2)
    edge = out[280, 153]
    assert 0.7 * edge <= out[280, 147:153].min() and out[280, 147:153].max() <= 1.05 * edge  # shaded where they meet
    assert (out[320, 147:153] == 250.0).all()  # the open gap below is left alone


def test_a_shaped_shin_has_a_calf_and_a_slim_lower_shin() -> None:
    """No leg shows: below the knee the shaped leg swells to a calf that stays full to half way down the shin, then
    narrows fast to the ankle (tapered evenly, it read as a cone with no calf). FRONTAL at three times its size."""
    scale = 3
    pose = frontal_pose({index: (scale * x, scale * y) for index, (x, y) in FRONTAL.items()})
    legs = leg_shapes(pose, (scale * H, scale * W))
    knee, shin = scale * KNEE, scale * (ANKLE - KNEE)

    def width(t: float) -> int:
        return int((legs[0][round(knee + (t - 1.0) * shin)] > 0).sum())

    assert width(1.3) > width(1.0)  # the calf below the knee
    assert width(1.5) >= 0.95 * width(1.0)  # full to half way down
    assert width(1.75) <= 0.72 * width(1.0)  # then a slim lower shin


@pytest.mark.parametrize("thigh", [30, 60])
def test_thighs_together_shade_each_other_over_a_third_of_their_width(thigh: int) -> None:
    """Thighs touching down their length (a mini's bared thighs): each is shaded towards the other over a third of its
    width or more, as wide as the thigh is (a fixed 3 px line left them one pale block split by a thin dark line)."""
    from fittingroom.warp_gen.limb_light import leg_skin, limb_profile

    legs = np.zeros((2, H, W), np.uint8)
    legs[0, 200:350, 150:150 + thigh] = 1
    legs[1, 200:350, 150 - thigh:150] = 1
    to_skin = (legs > 0).any(axis=0)
    modelled = limb_profile(np.array(LEG_SKIN, np.float32), 0.8, 1.3)  # the same light on either side of each
    out = leg_skin(np.zeros((H, W, 3), np.float32), np.full((H, W, 3), BACKDROP, np.uint8), to_skin, legs,
                   np.zeros((H, W), np.uint8), modelled).mean(axis=2)
    row, inward = 300, thigh // 3
    for inner, outer in ((150 + inward, 149 + thigh - inward), (149 - inward, 150 - thigh + inward)):
        assert out[row, inner] < 0.95 * out[row, outer]  # a third of the way in from the other leg, still shaded
    assert out[row, 150] < out[row, 150 + inward] < out[row, 150 + thigh // 2]  # darkest where they meet
