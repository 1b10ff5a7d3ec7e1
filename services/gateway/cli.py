"""`tryon`: run a try-on from the command line, serve the gateway, or say what is set up (`tryon doctor`)."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from pathlib import Path
from types import FrameType

import numpy as np

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.errors import TryOnError
from fittingroom.common.garment import Category
from fittingroom.common.imagecodec import decode_image, encode_image
from fittingroom.gateway.doctor import report as doctor_report
from fittingroom.gateway.routing import TrafficRouter
from fittingroom.gateway.sample_garment import sample_garment
from fittingroom.gateway.samples import SAMPLE_ARTWORK, SAMPLE_CONTENT, SAMPLE_PERSON
from fittingroom.gateway.settings import Settings
from fittingroom.tryon.requests import SEED_LIMIT, DesignRequest, GarmentRequest, GeneratorNoise
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.selection import GarmentPath
from fittingroom.tryon.service import TryOnService

log = logging.getLogger("tryon")


def _read(path: Path, field: str, settings: Settings) -> np.ndarray:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read --{field} {path}: {exc.strerror or exc}") from exc
    return decode_image(data, field=field, max_pixels=settings.max_image_pixels, max_side=settings.max_image_side)


def _seed(text: str) -> int:
    """--seed: an integer in [0, SEED_LIMIT)."""
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= seed < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"must be in [0, {SEED_LIMIT}), got {seed}")
    return seed


class UsageError(Exception):
    """A mistake in the command line: reported in one line, exit code 2."""


def report(result: TryOnResult, inputs: dict[str, str]) -> dict[str, object]:
    """What produced an image: stage timings, model versions, and which weights are untrained."""
    return {
        "mode": result.mode,
        "inputs": inputs,
        "timings_ms": result.timings_ms,
        "total_ms": round(sum(result.timings_ms.values()), 2),
        "models": {name: {"version": use.version, "trained": use.trained} for name, use in result.models.items()},
        "untrained_models": result.untrained_models,
        "path": result.path,
        "seed": result.seed,
        "dressing": result.dressing,
    }


def _write(result: TryOnResult, out: Path, report_path: Path | None, inputs: dict[str, str]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    data, _ = encode_image(result.image, out.suffix.lstrip(".").lower().replace("jpg", "jpeg") or "png")
    out.write_bytes(data)
    summary = report(result, inputs)
    report_path = report_path or out.with_name("report.json")
    report_path.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"wrote {out} and {report_path}")
    print(json.dumps(summary["timings_ms"]))
    if result.untrained_models:
        print(f"WARNING: untrained placeholder weights in {result.untrained_models}: the image is not a try-on "
              "result (meaningless where they painted)")


async def _run(settings: Settings, request: DesignRequest | GarmentRequest, path: GarmentPath) -> TryOnResult:
    """One try-on on the embedded backend, each model's latest version."""
    client = EmbeddedClient(settings.model_repository, intra_op_threads=settings.ort_threads)
    try:
        tryon = TryOnService(client, TrafficRouter(client))
        if isinstance(request, DesignRequest):
            return await tryon.try_design(request)
        return await tryon.try_garment(request, path)
    finally:
        await client.close()


def _design(args: argparse.Namespace, settings: Settings) -> None:
    request = DesignRequest(
        person=_read(args.person, "person", settings), content=_read(args.content, "content", settings),
        artwork=_read(args.style, "style", settings), category=Category(args.garment), opacity=args.opacity)
    result = asyncio.run(_run(settings, request, GarmentPath.AUTO))
    _write(result, args.out, args.report,
           {"person": str(args.person), "content": str(args.content), "style": str(args.style)})


def _garment(args: argparse.Namespace, settings: Settings) -> None:
    category = Category(args.category)
    garment = _read(args.garment, "garment", settings) if args.garment else sample_garment(category)
    request = GarmentRequest(person=_read(args.person, "person", settings), garment=garment, category=category,
                             seed=args.seed, noise=GeneratorNoise(args.noise))
    result = asyncio.run(_run(settings, request, GarmentPath(args.path)))
    _write(result, args.out, args.report, {
        "person": str(args.person),
        "garment": str(args.garment) if args.garment else f"synthetic sample {category} (drawn in code)"})


def _serve(args: argparse.Namespace, settings: Settings) -> None:
    import uvicorn

    from fittingroom.gateway.app import create_app

    settings = settings.model_copy(update={"host": args.host or settings.host, "port": args.port or settings.port})
    app = create_app(settings)
    # uvicorn drains on SIGTERM, then re-raises the signal to the handler it found; with the default one the
    # process would die of SIGTERM (143) after a clean drain. A drained stop is a success: exit 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                timeout_graceful_shutdown=int(settings.request_timeout_s))


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    """SIGTERM outside uvicorn's own handling: re-raised by it after the drain, or before it serves."""
    log.info("stopped by %s", signal.Signals(signum).name)
    raise SystemExit(0)


# Each help ends with commands that work as written in a checkout after `make demo` (sample images are built in),
# the garment ones after `make repository` (the classical path also runs u2netp, which the demo does not export).
EXAMPLES = {
    "tryon": """examples:
  tryon design                      the demo try-on: out/demo/tryon.png and out/demo/report.json
  tryon serve                       the gateway; open http://127.0.0.1:8080/ to try it in the browser
  tryon doctor                      what is installed, which models are built, which backend serves""",
    "design": """example:
  tryon design --garment dress --opacity 0.7 --out out/dress/tryon.png
  (your own photos: --person me.jpg --content logo.png --style painting.jpg)""",
    "garment": """example:
  tryon garment --category upper --path classical --out out/garment/tryon.png
  (after `make repository`; a product photo of your own: --garment shirt.jpg)""",
    "serve": """example:
  tryon serve --port 8080           then open http://127.0.0.1:8080/""",
    "triton": """example:
  tryon triton --grpc-port 8001     then TRYON_BACKEND=triton tryon serve (needs `make repository`)""",
    "doctor": """example:
  TRYON_BACKEND=triton tryon doctor   would the gateway find Triton?""",
}


def _command(commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
             help: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=help, description=help, epilog=EXAMPLES[name],
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def _doctor(args: argparse.Namespace, settings: Settings) -> None:
    print("\n".join(doctor_report(settings)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="tryon", description="Fitting Room virtual try-on", epilog=EXAMPLES["tryon"],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    design = _command(commands, "design", "print a content image, styled by an artwork, on the garment")
    design.add_argument("--person", type=Path, default=SAMPLE_PERSON)
    design.add_argument("--content", type=Path, default=SAMPLE_CONTENT)
    design.add_argument("--style", type=Path, default=SAMPLE_ARTWORK)
    design.add_argument("--out", type=Path, default=Path("out/demo/tryon.png"))
    design.add_argument("--report", type=Path, default=None, help="default: report.json beside --out")
    design.add_argument("--garment", choices=[c.value for c in Category], default=Category.UPPER.value)
    design.add_argument("--opacity", type=float, default=0.9)

    garment = _command(commands, "garment", "put a catalog garment (a product photo) on the person")
    garment.add_argument("--person", type=Path, default=SAMPLE_PERSON)
    garment.add_argument("--garment", type=Path, default=None, help="default: a synthetic sample drawn in code")
    garment.add_argument("--category", choices=[c.value for c in Category], default=Category.UPPER.value)
    garment.add_argument("--path", choices=[p.value for p in GarmentPath], default=GarmentPath.AUTO.value,
                         help="auto (default): neural (VITON-HD), else daflow, when all its models are trained; "
                              "else classical")
    garment.add_argument("--seed", type=_seed, default=None,
                         help=f"VITON-HD: seed of the network's random inputs, in [0, {SEED_LIMIT}) (default: a fresh "
                              "one, written to the report; the same seed gives the same image)")
    garment.add_argument("--noise", choices=[n.value for n in GeneratorNoise], default=GeneratorNoise.ON.value,
                         help="VITON-HD: the generator's per-pixel noise, on as the official inference path (default) "
                              "or off")
    garment.add_argument("--out", type=Path, default=Path("out/garment/tryon.png"))
    garment.add_argument("--report", type=Path, default=None, help="default: report.json beside --out")

    serve = _command(commands, "serve", "run the HTTP gateway")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)

    triton = _command(commands, "triton", "run a local tritonserver (development)")
    triton.add_argument("--grpc-port", type=int, default=8001)
    triton.add_argument("--http-port", type=int, default=8000)
    triton.add_argument("--metrics-port", type=int, default=8002)
    triton.add_argument("--repository", type=Path, default=None, help="default: settings.model_repository")

    _command(commands, "doctor", "say what is installed, which models are built (trained or placeholders) and "
                                 "which backend would serve")

    args = parser.parse_args(argv)
    # The servers log what they do; a one-shot command prints its result, and only warnings besides.
    level = logging.INFO if args.command in ("serve", "triton") else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    commands_run = {"design": _design, "garment": _garment, "serve": _serve, "triton": _triton, "doctor": _doctor}
    try:
        commands_run[args.command](args, Settings())
    except (UsageError, TryOnError) as exc:
        # The caller's mistake (a bad photo, a missing file, no garment found): one line, as argparse does.
        parser.exit(2, f"{parser.prog}: error: {exc}\n")


def _triton(args: argparse.Namespace, settings: Settings) -> None:
    from fittingroom.common.triton_server import TritonServer, serve_forever
    from fittingroom.export.runtimes import serving_repository

    repository = serving_repository(args.repository or settings.model_repository)
    server = TritonServer(repository, grpc_port=args.grpc_port, http_port=args.http_port,
                          metrics_port=args.metrics_port)
    raise SystemExit(serve_forever(server))
