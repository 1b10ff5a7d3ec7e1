"""What a stage declares about each of its models; export/ turns it into a Triton config."""

from __future__ import annotations

from dataclasses import dataclass, field

from fittingroom.common.tensors import TensorSpec

# The embedded backend's ONNX Runtime threads for one model (a config parameter, like the other keys of ours;
# Triton ignores it). The design path runs the pose and the stylizer at once: each with a pool as wide as the
# machine, on 2 cores they fought over it (`bench tryon`: design at 512 px 444 ms with the default pools, 282
# ms with one thread for these models). One thread each lets models that run side by side share the cores;
# the try-on networks, which run one at a time, keep the default. On Triton the operator sizes threads and
# instances per node (its own `intra_op_thread_count`); with that key set to 1 for these models, the one CI
# run had a replica killed under load fail 1 of 65 try-ons (tests/integration/test_cluster.py, green without
# it; not traced), so Triton keeps its default here.
INTRA_OP_THREADS = "embedded_intra_op_threads"
SIDE_BY_SIDE = {INTRA_OP_THREADS: "1"}


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
