"""TFLite -> ONNX with tf2onnx, run in its own virtualenv.

TensorFlow (about 1.5 GB) is needed only here, at export time, and pins protobuf differently from
the serving stack, so it lives in `.cache/tf-venv` and is called as a subprocess.
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
OPSET = 17
# The export prepares the env in the background (Recipe.prepare) while the build may already ask for it.
_CREATING = threading.Lock()


def tf_python() -> Path:
    """The tf-venv interpreter, created and filled on first use."""
    python = TF_VENV / "bin" / "python"
    marker = TF_VENV / ".requirements"
    wanted = "\n".join(TF_REQUIREMENTS)
    with _CREATING:  # once, even when the background preparation and the build ask together
        if python.is_file() and marker.is_file() and marker.read_text() == wanted:
            return python
        log.info("converting a TFLite model needs TensorFlow: creating %s (about 1.5 GB, export-time only, once)",
                 TF_VENV)
        venv.create(TF_VENV, clear=True)  # no pip of its own: ours installs into it (pip --python)
        # --no-compile: Python compiles the modules the conversion imports as they load; the rest of the env's
        # 5,000 modules need not be compiled at all.
        run_pip(["--python", str(python), "install", "--no-compile", *TF_REQUIREMENTS], label="tf-venv")
        marker.write_text(wanted)
    return python


def convert(tflite: Path, output: Path) -> Path:
    result = subprocess.run(
        [str(tf_python()), "-m", "tf2onnx.convert", "--tflite", str(tflite), "--output", str(output),
         "--opset", str(OPSET)],
        capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"tf2onnx failed on {tflite.name}:\n{result.stderr[-2000:]}")
    return output


_RUN_TFLITE = """
import sys, numpy as np, tensorflow as tf
data = np.load(sys.argv[2])
interpreter = tf.lite.Interpreter(model_path=sys.argv[1])
interpreter.allocate_tensors()
for detail, name in zip(interpreter.get_input_details(), data.files):
    interpreter.set_tensor(detail["index"], data[name])
interpreter.invoke()
outputs = {d["name"]: interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()}
np.savez(sys.argv[3], **outputs)
"""


def run_tflite(tflite: Path, inputs: list[np.ndarray], workdir: Path) -> dict[str, np.ndarray]:
    """Reference outputs of the original .tflite (TensorFlow Lite interpreter), by tensor name."""
    given, got = workdir / "tflite_in.npz", workdir / "tflite_out.npz"
    np.savez(given, *inputs)
    subprocess.run([str(tf_python()), "-c", _RUN_TFLITE, str(tflite), str(given), str(got)],
                   check=True, capture_output=True)
    with np.load(got) as data:
        return {name: data[name] for name in data.files}
