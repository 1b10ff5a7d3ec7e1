"""`python -m fittingroom.export`: build model_repository/ from registry weights, operator checkpoints and specs."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import get_args

from fittingroom.export.config_rules import InvalidModelConfig
from fittingroom.export.driver import export_all
from fittingroom.export.flavours import DEFAULT_FLAVOUR, FLAVOURS
from fittingroom.export.model_recipes import recipes
from fittingroom.export.profiles import DEFAULT_DEVICE, DEVICES
from fittingroom.export.runtimes import NoTensorRTBuild
from fittingroom.export.settings import ExportSettings, VtonSize
from fittingroom.export.weights import PROJECT_ROOT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fittingroom.export", description=__doc__)
    parser.add_argument("--repository", type=Path, default=PROJECT_ROOT / "model_repository")
    parser.add_argument("--flavour", choices=sorted(FLAVOURS), default=DEFAULT_FLAVOUR)
    parser.add_argument("--device", choices=sorted(DEVICES), default=DEFAULT_DEVICE,
                        help="; ".join(f"{d.name}: {d.help}" for d in DEVICES.values()))
    parser.add_argument("--model", action="append", choices=sorted(recipes(ExportSettings())),
                        help="only these models (default: all)")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("--weights-dir", type=Path, help="official checkpoints (default: TRYON_WEIGHTS_DIR)")
    parser.add_argument("--vton-size", choices=get_args(VtonSize), help="VITON-HD output size (TRYON_VTON_SIZE)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    flags = {"weights_dir": args.weights_dir, "vton_size": args.vton_size}
    settings = ExportSettings(**{k: v for k, v in flags.items() if v is not None})
    try:
        export_all(args.repository, models=args.model, flavour=args.flavour, device=args.device, force=args.force,
                   recipes=recipes(settings))
    except (InvalidModelConfig, NoTensorRTBuild) as e:  # a repository Triton could not serve is never finished
        print(f"error: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
