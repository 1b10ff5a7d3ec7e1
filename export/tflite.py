"""TFLite -> ONNX with tf2onnx, and the TFLite reference outputs, each in its own virtualenv.

TensorFlow (about 1.5 GB) is needed only here, at export time, and pins protobuf differently from
the serving stack, so it lives in `.cache/tf-venv` and is called as a subprocess. The reference
outputs come from LiteRT (`ai-edge-litert`, `.cache/litert-venv`), the interpreter MediaPipe's models
are released for: unlike TensorFlow's own `tf.lite` it resolves MediaPipe's custom transposed
convolution (`Convolution2DTransposeBias`, in `selfie_segmentation`).
"""

from __future__ import annotations

import logging
import subprocess
import threading
import venv
from pathlib import Path

import numpy as np

from fittingroom.common.pip_progress import run_pip
from fittingroom.export.weights import CACHE_DIR

log = logging.getLogger(__name__)

TF_REQUIREMENTS = ("tensorflow-cpu==2.21.0", "tf2onnx==1.17.0", "numpy==2.4.6")
TF_VENV = CACHE_DIR / "tf-venv"
LITERT_REQUIREMENTS = ("ai-edge-litert==2.3.0", "numpy==2.4.6")
LITERT_VENV = CACHE_DIR / "litert-venv"
OPSET = 17
# Runs inside the tf-venv: tf2onnx with sparse constants densified (pose_detection needs it).
CONVERTER = Path(__file__).with_name("tflite_to_onnx.py")
# The export prepares the envs in the background (Recipe.prepare) while a build may already ask for one.
_CREATING = threading.Lock()


def tool_python(venv_dir: Path, requirements: tuple[str, ...]) -> Path:
    """The interpreter of an export-time virtualenv, created and filled on first use."""
    python = venv_dir / "bin" / "python"
    marker = venv_dir / ".requirements"
    wanted = "\n".join(requirements)
    with _CREATING:  # once, even when the background preparation and a build ask together
        if python.is_file() and marker.is_file() and marker.read_text() == wanted:
            return python
        log.info("converting TFLite models needs %s: creating %s (export-time only, once)",
                 ", ".join(requirements), venv_dir)
        venv.create(venv_dir, clear=True)  # no pip of its own: ours installs into it (pip --python)
        # --no-compile: Python compiles the modules a conversion imports as they load; the rest of the env's
        # thousands of modules need not be compiled at all.
        run_pip(["--python", str(python), "install", "--no-compile", *requirements], label=venv_dir.name)
        marker.write_text(wanted)
    return python


def prepare_envs() -> None:
    """Both envs a TFLite model's build uses: the converter's, then the reference interpreter's."""
    tool_python(TF_VENV, TF_REQUIREMENTS)
    tool_python(LITERT_VENV, LITERT_REQUIREMENTS)


def convert(tflite: Path, output: Path) -> Path:
    result = subprocess.run(
        [str(tool_python(TF_VENV, TF_REQUIREMENTS)), str(CONVERTER), str(tflite), str(output), str(OPSET)],
        capture_output=True, text=True,
    )
    if result.returncode != 0 or not output.is_file():
        raise RuntimeError(f"tf2onnx failed on {tflite.name}:\n{result.stderr[-2000:]}")
    return output


_RUN_TFLITE = """
import sys, numpy as np
from ai_edge_litert.interpreter import Interpreter
data = np.load(sys.argv[2])
interpreter = Interpreter(model_path=sys.argv[1])
interpreter.allocate_tensors()
for detail, name in zip(interpreter.get_input_details(), data.files):
    interpreter.set_tensor(detail["index"], data[name])
interpreter.invoke()
outputs = {d["name"]: interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()}
np.savez(sys.argv[3], **outputs)
"""


def run_tflite(tflite: Path, inputs: list[np.ndarray], workdir: Path) -> dict[str, np.ndarray]:
    """Reference outputs of the original .tflite (LiteRT interpreter), by tensor name."""
    given, got = workdir / "tflite_in.npz", workdir / "tflite_out.npz"
    np.savez(given, *inputs)
    subprocess.run([str(tool_python(LITERT_VENV, LITERT_REQUIREMENTS)), "-c", _RUN_TFLITE, str(tflite),
                    str(given), str(got)], check=True, capture_output=True)
    with np.load(got) as data:
        return {name: data[name] for name in data.files}
