"""The warped garment's rim on its product photo (a blend with the photo's backdrop) is not dressed onto the
shopper: a dark tee's hem lying on the body and a sleeve's end laid over the garment show no pale line."""

from __future__ import annotations

import cv2
import numpy as np
from poses import frontal_pose

from fittingroom.common.garment import Category
from fittingroom.segment.occlusion import occluders
from fittingroom.tryon.classical import WARPED, ClassicalGarmentPipeline
from fittingroom.tryon.requests import GarmentRequest
from fittingroom.warp_gen.fit import GarmentFit, WarpedGarment, covered_mask
from fittingroom.warp_gen.sleeves import SleeveFit, warp_sleeves

H, W = 400, 300
BACKDROP = (235, 235, 235)
TOP = (40, 150, 70)  # the shopper's own top: green
TROUSERS = (60, 60, 70)
TEE = (20, 25, 60)  # the new tee: dark navy
RIM = (150, 150, 170)  # its outermost 2 px on the product photo: half the photo's white backdrop


def test_the_product_photos_rim_is_not_painted_where_the_garment_ends_on_the_body() -> None:
    image = np.full((H, W, 3), BACKDROP, np.uint8)
    image[120:400, 110:190] = TROUSERS
    image[100:260, 110:190] = TOP
    person = np.any(image != BACKDROP, axis=2).astype(np.float32)
    worn = np.all(image == TOP, axis=2).astype(np.uint8)
    tee = np.zeros((H, W), np.uint8)
    tee[100:240, 105:195] = 1  # shorter than the old top: its hem lies on the old top, over the trousers' rows
    garment = np.zeros((H, W, 3), np.uint8)
    garment[tee > 0] = TEE
    ring = (tee > 0) & (cv2.erode(tee, np.ones((5, 5), np.uint8)) == 0)
    garment[ring] = RIM
    pose = frontal_pose()
    torso = np.array([[120, 100], [180, 100], [180, 240], [120, 240]], np.float64)
    fit = GarmentFit(names=("left_hem", "right_hem"), source=np.zeros((2, 2)),
                     target=np.array([[190.0, 240.0], [110.0, 240.0]]), body=torso, limbs=())
    warped = WarpedGarment(image=garment, alpha=tee.astype(np.float32), fit=fit, laid=np.zeros((H, W), np.uint8))
    request = GarmentRequest(image, garment, Category.UPPER)
    front = occluders(image, person, pose, covered_mask(fit, (H, W)), torso)
    dressed = ClassicalGarmentPipeline.composite(request, person, pose, warped, front, worn)
    assert dressed.dressing == WARPED
    # A pixel and more inside the painted outline, the tee's own colour (its turning shade aside), never the rim's.
    inner = cv2.distanceTransform(dressed.paint, cv2.DIST_L2, 3) >= 2
    assert inner[234:237, 125:175].all()  # the hem's rows, where its rim lay
    assert np.abs(dressed.image[inner].astype(int) - TEE).max() < 25


def test_a_sleeve_laid_over_the_body_brings_no_pale_rim_along_its_end() -> None:
    """A dark sleeve (a rectangle out from the body on the photo, its outermost 2 px a blend with the backdrop)
    laid where it was: its end's rim, over the garment's body, is the sleeve's colour."""
    product = np.full((H, W, 3), 255, np.uint8)
    mask = np.zeros((H, W), np.uint8)
    mask[100:140, 150:220] = 1  # the sleeve, out to the right of a body whose side is at x = 150
    product[mask > 0] = TEE
    ring = (mask > 0) & (cv2.erode(mask, np.ones((5, 5), np.uint8)) == 0)
    product[ring] = RIM
    quad = np.array([[150.0, 100.0], [220.0, 100.0], [220.0, 140.0], [150.0, 140.0]])
    body = np.full((H, W, 3), TEE, np.uint8)  # what lies under the sleeve: the garment's own body
    image, _, _ = warp_sleeves(product, mask, (SleeveFit("left", quad, quad),), body, np.ones((H, W), np.float32),
                               np.zeros(mask.shape[:2], bool))
    for rim in (image[104:136, 210:222], image[98:104, 160:210]):  # its end, and its top edge
        assert np.abs(rim.astype(int) - TEE).max() < 25
