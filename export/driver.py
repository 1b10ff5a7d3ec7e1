"""Fill a model repository from the builders: `<model>/config.pbtxt` + `<model>/<version>/model.onnx`.

Re-running is cheap: a version whose recorded weight hashes and exporter revision match is kept (for
the garment models also the operator checkpoint's sha256, or its absence, and the rendered config).
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import onnx

from fittingroom.common.repository import CONFIG_NAME, MODEL_FILE, render_config
from fittingroom.common.versions import RECORD_FILE
from fittingroom.common.wheels import sha256
from fittingroom.export.config_rules import check_config
from fittingroom.export.flavours import DEFAULT_FLAVOUR, FLAVOURS
from fittingroom.export.model_recipes import BUILDERS
from fittingroom.export.profiles import DEFAULT_DEVICE, DEVICES, render_profile_config
from fittingroom.export.progress import ExportProgress
from fittingroom.export.recipe import Recipe, seed_for, tracing_quietly
from fittingroom.export.runtimes import finish_flavour
from fittingroom.export.weights import WEIGHTS

log = logging.getLogger(__name__)

# Bump when a builder changes what it writes, so existing exports are rebuilt.
EXPORT_REVISION = 1


def _checkpoint_record(recipe: Recipe) -> dict[str, str] | None:
    """Which operator checkpoint file a build used (name and sha256), None when none was there."""
    if recipe.checkpoint is None or recipe.checkpoint.path is None:
        return None
    return {"file": recipe.checkpoint.file_name, "sha256": sha256(recipe.checkpoint.path)}


def _package_weights_record(recipe: Recipe) -> list[dict[str, str]]:
    """Which pinned registry files a build used: the package, the file in it and the sha256 it is pinned to
    (checked when fetched, so it is the sha256 of the bytes the build read)."""
    return [{"package": WEIGHTS[k].requirement, "file": WEIGHTS[k].member.rsplit("/", 1)[-1],
             "sha256": WEIGHTS[k].sha256} for k in recipe.weight_keys]


def fingerprint(recipe: Recipe) -> str:
    """Hash of everything that decides a build's bytes (weights, checkpoint, config, code revision)."""
    payload: dict[str, object] = {"revision": EXPORT_REVISION,
                                  "weights": [WEIGHTS[k].sha256 for k in recipe.weight_keys]}
    if recipe.checkpoint is not None:
        # Supplying (or replacing) a checkpoint, or another serving size, rebuilds the model.
        payload["checkpoint"] = _checkpoint_record(recipe)
        payload["config"] = render_config(recipe.spec)
    if recipe.sources:
        # An architecture or wrapper edit rebuilds the models built from it.
        payload["sources"] = {p.name: sha256(p) for p in recipe.sources}
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _up_to_date(version_dir: Path, expected: str) -> bool:
    record = version_dir / RECORD_FILE
    if not (version_dir / MODEL_FILE).is_file() or not record.is_file():
        return False
    return bool(json.loads(record.read_text()).get("fingerprint") == expected)


def export_model(name: str, repository: Path, *, version: int = 1, flavour: str = DEFAULT_FLAVOUR,
                 device: str = DEFAULT_DEVICE, force: bool = False,
                 recipes: Mapping[str, Recipe] = BUILDERS) -> dict[str, object]:
    """Build (or keep) one model version and write its config; returns the build record.

    The config is checked against Triton's load-time rules and the device profile before anything is
    written or built (InvalidModelConfig).
    """
    recipe = recipes[name]
    spec = recipe.spec
    model_dir = repository / name
    version_dir = model_dir / str(version)
    identity = fingerprint(recipe)
    config = render_profile_config(spec, FLAVOURS[flavour], DEVICES[device])
    check_config(config, device=device, where=f"{name} ({flavour} flavour, {device} profile)")
    model_dir.mkdir(parents=True, exist_ok=True)
    (model_dir / CONFIG_NAME).write_text(config)
    package_weights = _package_weights_record(recipe)
    if not force and _up_to_date(version_dir, identity):
        log.debug("%s v%d is up to date", name, version)
        kept: dict[str, object] = json.loads((version_dir / RECORD_FILE).read_text())
        if package_weights and kept.get("package_weights") != package_weights:
            # Exported before records named the pinned files: the same bytes (the fingerprint says so), so only
            # the record is completed, nothing is rebuilt.
            kept["package_weights"] = package_weights
            (version_dir / RECORD_FILE).write_text(json.dumps(kept, indent=2) + "\n")
        return kept
    log.debug("building %s v%d", name, version)
    with tempfile.TemporaryDirectory() as tmp, tracing_quietly():
        built = recipe.build(Path(tmp))
    version_dir.mkdir(parents=True, exist_ok=True)
    staged = version_dir / (MODEL_FILE + ".part")
    onnx.save(built.model, str(staged))
    staged.replace(version_dir / MODEL_FILE)  # atomic: a reader never sees half a model
    record: dict[str, object] = {
        "model": name, "version": version, "fingerprint": identity, "trained": spec.provenance.trained,
        "weights_source": spec.provenance.source, "weights_license": spec.provenance.license,
    }
    if package_weights:
        record["package_weights"] = package_weights
    if recipe.checkpoint is not None:
        record["checkpoint"] = _checkpoint_record(recipe)
        if recipe.checkpoint.path is None:
            record["seed"] = seed_for(name)
    record["parity"] = built.parity
    (version_dir / RECORD_FILE).write_text(json.dumps(record, indent=2) + "\n")
    log.debug("%s v%d parity: %s", name, version, built.parity)  # also in export.json
    return record


def export_all(repository: Path, *, models: list[str] | None = None, flavour: str = DEFAULT_FLAVOUR,
               device: str = DEFAULT_DEVICE, force: bool = False,
               recipes: Mapping[str, Recipe] = BUILDERS) -> list[dict[str, object]]:
    """Build (or keep) every model of `models` (default: all), then add the flavour's runtime files."""
    names = models or list(recipes)
    progress = ExportProgress(len(names))
    records = []
    with ThreadPoolExecutor(max_workers=1) as background:
        # A set-up that waits on nothing (creating the TensorFlow env) overlaps the models built before it.
        preparing = []
        for name in names:
            prepare = recipes[name].prepare
            if prepare is not None and (force or not _up_to_date(repository / name / "1", fingerprint(recipes[name]))):
                preparing.append(background.submit(prepare))
        for index, name in enumerate(names, start=1):
            with progress.model(index, name):
                records.append(export_model(name, repository, flavour=flavour, device=device, force=force,
                                            recipes=recipes))
        for prepared in preparing:
            prepared.result()  # a failure was the build's too; this only keeps it from passing silently
    finish_flavour(repository, names, flavour)  # python-ort: model.py; tensorrt: model.plan on a GPU
    progress.close()
    return records
