"""BlazePose -> OpenPose-18 mapping and the pose encodings the try-on networks take (synthetic poses)."""

from __future__ import annotations

import numpy as np

from fittingroom.common import landmarks as bp
from fittingroom.pose import openpose_layout as op


def _blazepose() -> tuple[np.ndarray, np.ndarray]:
    """33 distinct points (x = 10 i, y = 10 i + 1), all visible."""
    index = np.arange(bp.NUM_BODY_LANDMARKS, dtype=np.float32)
    return np.stack((10 * index, 10 * index + 1), 1), np.ones(bp.NUM_BODY_LANDMARKS, np.float32)


def test_blazepose_maps_to_openpose_order() -> None:
    points, visibility = _blazepose()
    keypoints = op.blazepose_to_openpose18(points, visibility)
    assert keypoints.shape == (18, 3)
    expected = {op.NOSE: 0, op.R_SHOULDER: 12, op.L_SHOULDER: 11, op.R_ELBOW: 14, op.L_WRIST: 15, op.R_HIP: 24,
                op.L_HIP: 23, op.R_KNEE: 26, op.L_ANKLE: 27, op.R_EYE: 5, op.L_EYE: 2, op.R_EAR: 8, op.L_EAR: 7}
    for openpose_index, blazepose_index in expected.items():
        np.testing.assert_array_equal(keypoints[openpose_index, :2], points[blazepose_index])
    np.testing.assert_allclose(keypoints[op.NECK, :2], (points[11] + points[12]) / 2)
    assert (keypoints[:, 2] == 1).all()


def test_invisible_points_are_openpose_missing_and_neck_needs_both_shoulders() -> None:
    points, visibility = _blazepose()
    visibility[bp.LEFT_SHOULDER] = 0.2
    visibility[bp.RIGHT_KNEE] = 0.49
    keypoints = op.blazepose_to_openpose18(points, visibility)
    for index in (op.L_SHOULDER, op.R_KNEE, op.NECK):
        np.testing.assert_array_equal(keypoints[index], 0)
        assert not op.present(keypoints, index)
    assert op.present(keypoints, op.R_SHOULDER)


def test_neck_confidence_is_the_weaker_shoulder() -> None:
    points, visibility = _blazepose()
    visibility[bp.RIGHT_SHOULDER] = 0.7
    assert op.blazepose_to_openpose18(points, visibility)[op.NECK, 2] == np.float32(0.7)


def _two_joints() -> np.ndarray:
    keypoints = np.zeros((18, 3), np.float32)
    keypoints[op.NECK] = (20, 50, 1)
    keypoints[op.R_SHOULDER] = (80, 50, 1)
    return keypoints


def test_render_pose_draws_discs_and_blended_limbs() -> None:
    image = op.render_pose(_two_joints(), 100, 120)
    assert image.shape == (100, 120, 3) and image.dtype == np.uint8
    limb = np.array(op.COLORS_RGB[0])  # neck -> right shoulder is the demo's first limb
    np.testing.assert_array_equal(image[50, 50], np.rint(op.LIMB_ALPHA * limb))
    # Joints under the limb's ends: the joint colour, then the limb blended over it.
    neck = np.rint((1 - op.LIMB_ALPHA) * np.array(op.COLORS_RGB[op.NECK]) + op.LIMB_ALPHA * limb)
    np.testing.assert_array_equal(image[50, 20], neck)
    # A joint disc reaches JOINT_RADIUS pixels; the limb is STICK_WIDTH thick.
    np.testing.assert_array_equal(image[50 + op.JOINT_RADIUS, 20], op.COLORS_RGB[op.NECK])
    np.testing.assert_array_equal(image[50 + op.STICK_WIDTH + 1, 50], 0)
    np.testing.assert_array_equal(image[5, 5], 0)


def test_render_pose_skips_missing_and_low_confidence_points() -> None:
    keypoints = _two_joints()
    keypoints[op.R_SHOULDER, 2] = op.MIN_CONFIDENCE
    image = op.render_pose(keypoints, 100, 120)
    np.testing.assert_array_equal(image[50, 50], 0)  # no limb without both ends
    np.testing.assert_array_equal(image[50, 80], 0)
    np.testing.assert_array_equal(image[50, 20], op.COLORS_RGB[op.NECK])
