"""tf2onnx on a .tflite file whose constants may be sparse; runs inside the tf-venv (export/tflite.py).

Stock tf2onnx reads a sparse constant's packed values as if they were the dense tensor and fails
("cannot reshape array of size 96 into shape (16,1,1,24)"). The TFLite interpreter densifies them
itself, so this script takes each DENSIFY output from the interpreter, hands tf2onnx those dense
bytes in place of the packed buffer, and converts DENSIFY as a pass-through.

usage: python tflite_to_onnx.py MODEL.tflite OUTPUT.onnx OPSET
"""

import sys

import numpy as np
import tensorflow as tf
from tf2onnx import convert, tflite_utils
from tf2onnx.handler import tfl_op


@tfl_op("TFL_DENSIFY", tf_op="Identity")
class DensifyAsIdentity:
    """The input already holds the dense values (see DenseBuffers)."""

    @classmethod
    def to_tf(cls, ctx, node, **kwargs):
        pass


def dense_values(path: str) -> dict[int, np.ndarray]:
    """Interpreter tensor index of each DENSIFY input -> its dense value."""
    interpreter = tf.lite.Interpreter(
        model_path=path, experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    for detail in interpreter.get_input_details():
        interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
    interpreter.invoke()
    return {int(op["inputs"][0]): interpreter.get_tensor(int(op["outputs"][0]))
            for op in interpreter._get_ops_details() if op["op_name"] == "DENSIFY"}


class DenseBuffer:
    def __init__(self, data: np.ndarray):
        self._bytes = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)

    def DataIsNone(self):
        return False

    def DataAsNumpy(self):
        return self._bytes


class DenseBuffers:
    """The flatbuffer model, except that the buffers of sparse constants hold their dense values."""

    def __init__(self, model, dense_by_buffer: dict[int, np.ndarray]):
        self._model = model
        self._dense = dense_by_buffer

    def Buffers(self, index):
        if index in self._dense:
            return DenseBuffer(self._dense[index])
        return self._model.Buffers(index)

    def __getattr__(self, name):
        return getattr(self._model, name)


def main() -> None:
    source, output, opset = sys.argv[1], sys.argv[2], int(sys.argv[3])
    read = tflite_utils.read_tflite_model

    def read_densified(path):
        graphs, opcodes, model, shapes = read(path)
        if "DENSIFY" not in opcodes.values():
            return graphs, opcodes, model, shapes
        main_graph = graphs[-1]  # the interpreter's tensor indices are the main subgraph's
        by_buffer = {main_graph.Tensors(i).Buffer(): value for i, value in dense_values(path).items()}
        print(f"densified {len(by_buffer)} sparse constants")
        return graphs, opcodes, DenseBuffers(model, by_buffer), shapes

    tflite_utils.read_tflite_model = read_densified
    convert.from_tflite(source, opset=opset, output_path=output)


if __name__ == "__main__":
    main()
