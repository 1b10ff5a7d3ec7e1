"""`python -m fittingroom.export`: build model_repository/ from registry weights and the stage specs."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from fittingroom.export.build import export_all
from fittingroom.export.builders import BUILDERS
from fittingroom.export.flavours import DEFAULT_FLAVOUR, FLAVOURS
from fittingroom.export.weights import PROJECT_ROOT


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m fittingroom.export", description=__doc__)
    parser.add_argument("--repository", type=Path, default=PROJECT_ROOT / "model_repository")
    parser.add_argument("--flavour", choices=sorted(FLAVOURS), default=DEFAULT_FLAVOUR)
    parser.add_argument("--model", action="append", choices=sorted(BUILDERS), help="only these models")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    export_all(args.repository, models=args.model, flavour=args.flavour, force=args.force)


if __name__ == "__main__":
    main()
