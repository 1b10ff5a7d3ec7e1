"""Fill a model repository from the builders: `<model>/config.pbtxt` + `<model>/<version>/model.onnx`.

Re-running is cheap: a version whose recorded weight hashes and exporter revision match is kept.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from pathlib import Path

import onnx

from fittingroom.common.repository import CONFIG_NAME, MODEL_FILE, render_config
from fittingroom.export.builders import BUILDERS
from fittingroom.export.flavours import DEFAULT_FLAVOUR, FLAVOURS
from fittingroom.export.runtimes import finish_flavour
from fittingroom.export.weights import WEIGHTS

log = logging.getLogger(__name__)

# Bump when a builder changes what it writes, so existing exports are rebuilt.
EXPORT_REVISION = 1
BUILD_RECORD = "export.json"


def _fingerprint(weight_keys: tuple[str, ...]) -> str:
    payload = json.dumps({"revision": EXPORT_REVISION, "weights": [WEIGHTS[k].sha256 for k in weight_keys]})
    return hashlib.sha256(payload.encode()).hexdigest()


def _up_to_date(version_dir: Path, fingerprint: str) -> bool:
    record = version_dir / BUILD_RECORD
    if not (version_dir / MODEL_FILE).is_file() or not record.is_file():
        return False
    return bool(json.loads(record.read_text()).get("fingerprint") == fingerprint)


def export_model(name: str, repository: Path, *, version: int = 1, flavour: str = DEFAULT_FLAVOUR,
                 force: bool = False) -> dict[str, object]:
    """Build (or keep) one model version and write its config; returns the build record."""
    spec, builder, weight_keys = BUILDERS[name]
    model_dir = repository / name
    version_dir = model_dir / str(version)
    fingerprint = _fingerprint(weight_keys)
    flav = FLAVOURS[flavour]
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / CONFIG_NAME).write_text(render_config(spec, platform=flav.platform, backend=flav.backend))
    if not force and _up_to_date(version_dir, fingerprint):
        log.info("%s v%d is up to date", name, version)
        return dict(json.loads((version_dir / BUILD_RECORD).read_text()))
    log.info("building %s v%d", name, version)
    with tempfile.TemporaryDirectory() as tmp:
        built = builder(Path(tmp))
    version_dir.mkdir(parents=True, exist_ok=True)
    staged = version_dir / (MODEL_FILE + ".part")
    onnx.save(built.model, str(staged))
    staged.replace(version_dir / MODEL_FILE)  # atomic: a reader never sees half a model
    record = {"model": name, "version": version, "fingerprint": fingerprint, "trained": spec.provenance.trained,
              "weights_source": spec.provenance.source, "parity": built.parity}
    (version_dir / BUILD_RECORD).write_text(json.dumps(record, indent=2) + "\n")
    log.info("%s v%d parity: %s", name, version, built.parity)
    return record


def export_all(repository: Path, *, models: list[str] | None = None, flavour: str = DEFAULT_FLAVOUR,
               force: bool = False) -> list[dict[str, object]]:
    names = models or list(BUILDERS)
    records = [export_model(n, repository, flavour=flavour, force=force) for n in names]
    finish_flavour(repository, names, flavour)  # python-ort: model.py; tensorrt: model.plan on a GPU
    return records
