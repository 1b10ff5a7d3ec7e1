"""Tensor descriptions shared by model specs, repository configs and inference clients."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Triton data type names <-> numpy dtypes (the subset our models use).
TRITON_TO_NUMPY: dict[str, np.dtype] = {
    "TYPE_FP32": np.dtype(np.float32),
    "TYPE_FP16": np.dtype(np.float16),
    "TYPE_UINT8": np.dtype(np.uint8),
    "TYPE_INT32": np.dtype(np.int32),
    "TYPE_INT64": np.dtype(np.int64),
    "TYPE_BOOL": np.dtype(np.bool_),
}


@dataclass(frozen=True)
class TensorSpec:
    """One named input or output: Triton data type and dims *without* the batch dimension."""

    name: str
    data_type: str
    dims: tuple[int, ...]

    @property
    def dtype(self) -> np.dtype:
        return TRITON_TO_NUMPY[self.data_type]

    @property
    def wire_type(self) -> str:
        """The data type as the KServe v2 protocol spells it (``FP32``)."""
        return self.data_type.removeprefix("TYPE_")

    def accepts_shape(self, shape: tuple[int, ...], max_batch_size: int) -> bool:
        """True when `shape` (batch included when batching) matches these dims; -1 matches anything."""
        if max_batch_size > 0:
            if len(shape) != len(self.dims) + 1 or not 1 <= shape[0] <= max_batch_size:
                return False
            shape = shape[1:]
        if len(shape) != len(self.dims):
            return False
        return all(d == -1 or d == s for d, s in zip(self.dims, shape, strict=True))


def fp32(name: str, *dims: int) -> TensorSpec:
    return TensorSpec(name, "TYPE_FP32", tuple(dims))
