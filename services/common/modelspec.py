"""What a stage declares about each of its models; export/ turns it into a Triton config."""

from __future__ import annotations

from dataclasses import dataclass, field

from fittingroom.common.tensors import TensorSpec


@dataclass(frozen=True)
class Provenance:
    """Where a model's weights come from, and whether they are trained at all."""

    trained: bool
    source: str
    license: str


@dataclass(frozen=True)
class ModelSpec:
    """The serving contract of one model: tensor names, dims, batching and provenance.

    `max_queue_delay_us` bounds how long Triton holds a request to build a batch; the value comes
    from the batching benchmark, and `preferred_batch_sizes` is always set so that Triton does not
    add max_batch_size as the only preferred size (which makes a lone request wait the full delay).
    """

    name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    provenance: Provenance
    max_batch_size: int = 8
    max_queue_delay_us: int = 2000
    preferred_batch_sizes: tuple[int, ...] = (1, 2, 4, 8)
    instance_count: int = 1
    description: str = ""
    extra_parameters: dict[str, str] = field(default_factory=dict)
