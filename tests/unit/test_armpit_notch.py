"""The backdrop at the tip of the armpit's notch on a product photo (the slit between a sleeve and the garment's
side, whose last px the mask closes over) is not laid down the arm with the sleeve: a two-tone tee's dark sleeve
shows no pale speck at the armpit. Synthetic photo, drawn with numpy/OpenCV."""

from __future__ import annotations

import cv2
import numpy as np

from fittingroom.segment.product import backdrop_pieces, product_mask, shallow_backdrop, strap_loops
from fittingroom.warp_gen.sleeves import SleeveFit, body_texture, warp_sleeves, without_sleeves

H, W = 512, 384
BACKDROP = (246, 246, 246)
BODY = (180, 170, 215)  # lavender
SLEEVE = (45, 30, 60)  # dark purple
TRIM = (250, 250, 250)  # a white band round the cuff, of the backdrop's colour within JPEG noise
# The sleeve out to the image's left: shoulder point, end's outer and inner corners, armpit.
QUAD = np.array([[120.0, 150.0], [60.0, 240.0], [95.0, 265.0], [120.0, 215.0]])
# The notch between the sleeve's underside and the side, open 10 px wide below y 216, and its last px: a slit 2 px
# wide, 5 up into the sleeve, 6 px out from the seam (as on catalogue photos: 4-6 px out, 3-5 up).
NOTCH = np.array([[110, 216], [120, 216], [120, 300], [95, 265]])
SLIT = np.s_[211:216, 113:115]
CLOSED = np.s_[211:215, 113:115]  # what the mask takes in of it
CUFF = QUAD[1:3]
INWARD = np.array([CUFF[1, 1] - CUFF[0, 1], CUFF[0, 0] - CUFF[1, 0]]) / np.linalg.norm(CUFF[1] - CUFF[0])  # up it


def _tee() -> tuple[np.ndarray, np.ndarray]:
    """The tee on its photo, and its mask as `product_mask` finds it (no salient model here: what differs from the
    backdrop, through GrabCut, closed and smoothed): the slit closed over. The white cuff band, all but the
    backdrop's colour, is the sleeve's to the salient model: the mask is given it."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (120, 150), (264, 450), BODY, -1)
    cv2.fillPoly(image, [np.round(QUAD).astype(np.int32)], SLEEVE)
    band = np.round(np.vstack([CUFF, CUFF[::-1] + 5 * INWARD])).astype(np.int32)  # 5 px deep inside the cuff
    cv2.fillPoly(image, [band], TRIM)
    cv2.fillPoly(image, [NOTCH], BACKDROP)
    image[SLIT] = BACKDROP
    mask = product_mask(image)
    cv2.fillPoly(mask, [band], 1)
    return image, mask


def test_the_closed_notch_is_found_on_the_outline_and_a_loop_is_not() -> None:
    image, mask = _tee()
    assert mask[CLOSED].all()
    pieces = backdrop_pieces(image, mask)
    found = shallow_backdrop(pieces)
    assert found[CLOSED].all()
    assert found[tuple(np.round(CUFF.mean(axis=0) + 2 * INWARD).astype(int)[::-1])]  # the white cuff band: as
    # shallow, on the outline
    # Nothing inside the body (the mask reaches a px past its sides, into the backdrop: that rim px is found), nor
    # above the sleeve.
    assert not found[152:448, 122:262].any() and not found[:140].any()
    assert not strap_loops(pieces)[CLOSED].any()  # no loop: it opens onto the backdrop


def test_a_sleeve_laid_on_its_own_carries_no_backdrop_from_the_armpit_but_keeps_its_white_cuff() -> None:
    image, mask = _tee()
    body = np.full((H, W, 3), BODY, np.uint8)  # the garment's body as warped, under the sleeve
    sleeve = SleeveFit("right", QUAD, QUAD)  # laid where it lies on its photo
    laid, over, _ = warp_sleeves(image, mask, (sleeve,), body, np.zeros((H, W), np.float32),
                                 shallow_backdrop(backdrop_pieces(image, mask)))
    assert (over[CLOSED] > 0.99).all()
    # Where the sleeve lies, at the slit and round it: its dark purple, not the backdrop's pale grey (nor the
    # body's lavender across the seam).
    near = np.zeros((H, W), bool)
    near[208:218, 110:118] = True
    assert np.abs(laid[near & (over > 0.99)].astype(int) - SLEEVE).max() < 25
    # The cuff's band, far from the armpit, is the sleeve's own: a px 3 deep inside the cuff's edge keeps its white.
    x, y = np.round(CUFF.mean(axis=0) + 3 * INWARD).astype(int)
    assert np.abs(laid[y, x].astype(int) - TRIM).max() < 25


def test_a_long_sliver_of_blended_backdrop_the_mask_closed_over_is_found() -> None:
    """A long sleeve laid close beside the side: the slit between them a few px wide all the way, its pixels the
    backdrop blended with the garment on both sides, and the mask closed over its top 20 px (deeper than a notch's
    tip: NOTCH_DEPTH)."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (120, 150), (264, 450), BODY, -1)
    cv2.rectangle(image, (90, 150), (116, 420), SLEEVE, -1)
    blend = np.round(0.75 * np.array(BACKDROP) + 0.25 * np.array(BODY)).astype(np.uint8)  # not the very colour
    image[230:420, 116:120] = blend
    mask = product_mask(image)
    mask[230:420, 90:265] = 0
    cv2.rectangle(mask, (120, 150), (264, 450), 1, -1)
    cv2.rectangle(mask, (90, 150), (116, 420), 1, -1)
    mask[230:250, 116:120] = 1  # the slit's top, closed over
    found = shallow_backdrop(backdrop_pieces(image, mask))
    assert found[230:250, 116:120].all()
    assert not found[160:440, 124:260].any()


def test_the_bodys_texture_takes_no_backdrop_from_the_armpits_notch() -> None:
    """The garment's body is warped on its own spline once a sleeve is laid down the arm: the notch's tip it
    carried stayed on the torso as a pale speck beside the armpit."""
    image, mask = _tee()
    sleeve = SleeveFit("right", QUAD, QUAD)
    dressed = body_texture(image, mask, without_sleeves(mask, (sleeve,)), (sleeve,),
                           shallow_backdrop(backdrop_pieces(image, mask)))
    assert np.abs(dressed[CLOSED].astype(int) - BACKDROP).max(axis=-1).min() > 40
    assert np.array_equal(dressed[300:440, 130:260], image[300:440, 130:260])  # the rest of the body as it was


def test_the_whole_slit_the_mask_closed_above_a_low_read_armpit_takes_the_bodys_texture() -> None:
    """A long sleeve laid close beside the side, the mask closed over the slit's top 50 px: the armpit is read where
    the slit opens, and its tip, far above that armpit's reach (ARMPIT_NOTCH), went onto the torso as a white speck."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    cv2.rectangle(image, (120, 150), (264, 450), BODY, -1)
    cv2.rectangle(image, (90, 150), (116, 420), SLEEVE, -1)
    image[200:420, 116:120] = np.round(0.75 * np.array(BACKDROP) + 0.25 * np.array(BODY)).astype(np.uint8)
    mask = np.zeros((H, W), np.uint8)
    cv2.rectangle(mask, (120, 150), (264, 450), 1, -1)
    cv2.rectangle(mask, (90, 150), (116, 420), 1, -1)
    mask[150:250, 116:120] = 1  # the slit's top, closed over down to the armpit read at its opening
    sleeve = SleeveFit("right", np.array([[116.0, 150.0], [90.0, 420.0], [116.0, 420.0], [116.0, 250.0]]),
                       np.array([[116.0, 150.0], [90.0, 420.0], [116.0, 420.0], [116.0, 250.0]]))
    backdrop = shallow_backdrop(backdrop_pieces(image, mask))
    assert backdrop[205:250, 116:120].all()
    dressed = body_texture(image, mask, without_sleeves(mask, (sleeve,)), (sleeve,), backdrop)
    assert np.abs(dressed[202:230, 116:120].astype(int) - BACKDROP).max(axis=-1).min() > 40  # the tip too


def test_a_white_garments_own_white_between_its_print_and_the_outline_stays() -> None:
    """A white tee's white is the backdrop's colour within tolerance: between a dense print and the outline it lies in
    slivers as thin as a slit's, and is the garment's own."""
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    white = (240, 240, 238)
    cv2.rectangle(image, (120, 150), (264, 450), white, -1)
    image[150:450, 122:264:5] = (200, 40, 120)  # magenta pinstripes, 4 px of white between them
    mask = np.zeros((H, W), np.uint8)
    cv2.rectangle(mask, (120, 150), (264, 450), 1, -1)
    assert not shallow_backdrop(backdrop_pieces(image, mask))[160:440, 124:260].any()
