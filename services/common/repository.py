"""Read and write a Triton model repository: `<model>/config.pbtxt` and `<model>/<version>/model.onnx`.

The config is parsed with Triton's own protobuf schema (shipped in tritonclient), so the embedded
backend reads exactly what tritonserver reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from fittingroom.common.errors import ModelNotFound
from fittingroom.common.modelspec import ModelSpec
from fittingroom.common.tensors import TensorSpec
from fittingroom.common.versions import VersionRecord, read_record

CONFIG_NAME = "config.pbtxt"
MODEL_FILE = "model.onnx"


@dataclass(frozen=True)
class VersionPolicy:
    """Which versions on disk are served: `latest` N, `all`, or `specific` ones."""

    kind: str
    latest_n: int = 1
    specific: tuple[int, ...] = ()

    def select(self, on_disk: list[int]) -> list[int]:
        """The served versions, highest first, as Triton chooses them."""
        versions = sorted(on_disk, reverse=True)
        if self.kind == "all":
            return versions
        if self.kind == "specific":
            return [v for v in versions if v in self.specific]
        return versions[: self.latest_n]


@dataclass(frozen=True)
class ModelConfig:
    name: str
    platform: str
    backend: str
    max_batch_size: int
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    version_policy: VersionPolicy
    parameters: dict[str, str]
    dynamic_batching: bool

    @property
    def trained(self) -> bool:
        return self.parameters.get("trained", "false") == "true"


def _tensor(t: mc.ModelInput | mc.ModelOutput) -> TensorSpec:
    return TensorSpec(t.name, mc.DataType.Name(t.data_type), tuple(int(d) for d in t.dims))


def _policy(msg: mc.ModelConfig) -> VersionPolicy:
    which = msg.version_policy.WhichOneof("policy_choice")
    if which == "all":
        return VersionPolicy("all")
    if which == "specific":
        return VersionPolicy("specific", specific=tuple(msg.version_policy.specific.versions))
    n = msg.version_policy.latest.num_versions if which == "latest" else 1
    return VersionPolicy("latest", latest_n=n or 1)


def parse_config(text: str) -> ModelConfig:
    msg = text_format.Parse(text, mc.ModelConfig())
    return ModelConfig(
        name=msg.name,
        platform=msg.platform,
        backend=msg.backend,
        max_batch_size=msg.max_batch_size,
        inputs=tuple(_tensor(t) for t in msg.input),
        outputs=tuple(_tensor(t) for t in msg.output),
        version_policy=_policy(msg),
        parameters={k: v.string_value for k, v in msg.parameters.items()},
        dynamic_batching=msg.HasField("dynamic_batching"),
    )


def with_specific_versions(text: str, versions: list[int]) -> str:
    """`text` (a config.pbtxt) serving exactly `versions`; everything else, device profile included, kept."""
    msg = text_format.Parse(text, mc.ModelConfig())
    msg.version_policy.Clear()
    msg.version_policy.specific.versions.extend(sorted(versions))
    return text_format.MessageToString(msg)


def render_config(spec: ModelSpec, *, platform: str = "onnxruntime_onnx", backend: str = "",
                  kind: str = "KIND_CPU", version_policy: VersionPolicy | None = None) -> str:
    """The config.pbtxt text for one model spec, for the given runtime flavour."""
    msg = mc.ModelConfig(name=spec.name, max_batch_size=spec.max_batch_size)
    if platform:
        msg.platform = platform
    if backend:
        msg.backend = backend
    for src, dst in ((spec.inputs, msg.input), (spec.outputs, msg.output)):
        for t in src:
            dst.add(name=t.name, data_type=mc.DataType.Value(t.data_type), dims=list(t.dims))
    if spec.max_batch_size > 0:
        msg.dynamic_batching.max_queue_delay_microseconds = spec.max_queue_delay_us
        msg.dynamic_batching.preferred_batch_size.extend(
            b for b in spec.preferred_batch_sizes if b <= spec.max_batch_size
        )
    msg.instance_group.add(count=spec.instance_count, kind=mc.ModelInstanceGroup.Kind.Value(kind))
    policy = version_policy or VersionPolicy("latest", latest_n=1)
    if policy.kind == "all":
        msg.version_policy.all.SetInParent()
    elif policy.kind == "specific":
        msg.version_policy.specific.versions.extend(policy.specific)
    else:
        msg.version_policy.latest.num_versions = policy.latest_n
    params = {
        "trained": "true" if spec.provenance.trained else "false",
        "weights_source": spec.provenance.source,
        "weights_license": spec.provenance.license,
        **spec.extra_parameters,
    }
    for key, value in params.items():
        msg.parameters[key].string_value = value
    return text_format.MessageToString(msg)


class ModelRepository:
    """A model repository directory laid out as Triton expects."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def model_names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if (p / CONFIG_NAME).is_file())

    def config(self, model: str) -> ModelConfig:
        path = self.root / model / CONFIG_NAME
        if not path.is_file():
            raise ModelNotFound(f"model '{model}' is not in the repository at {self.root}")
        return parse_config(path.read_text())

    def versions_on_disk(self, model: str) -> list[int]:
        folder = self.root / model
        return sorted(
            int(p.name) for p in folder.iterdir()
            if p.is_dir() and p.name.isdigit() and (p / MODEL_FILE).is_file()
        ) if folder.is_dir() else []

    def served_versions(self, model: str) -> list[int]:
        return self.config(model).version_policy.select(self.versions_on_disk(model))

    def model_path(self, model: str, version: int) -> Path:
        return self.root / model / str(version) / MODEL_FILE

    def version_records(self) -> dict[str, dict[int, VersionRecord]]:
        """`VersionCatalog`: the export record of every version on disk that has one."""
        found: dict[str, dict[int, VersionRecord]] = {}
        for model in self.model_names():
            for version in self.versions_on_disk(model):
                record = read_record(self.root / model / str(version), model, version)
                if record is not None:
                    found.setdefault(model, {})[version] = record
        return found
