"""Locust scenarios for the gateway: design try-on, catalog-garment try-on, garment registration, and an admin
who moves a traffic split back and forth while the shoppers keep coming.

Run through `load-tests/run.py` (`make load`), which starts the stack on loopback, prepares the images and
keys in the environment below, and picks the user classes of a scenario on locust's command line.

Arrival rate: every shopper is paced by `constant_throughput(LOAD_RATE_PER_USER)`: it sends one request per
1/rate seconds and thinks for whatever is left of that interval. Below saturation the offered load is
therefore users x rate requests/s whatever the latency (an open-model arrival rate); once a response takes
longer than the interval the user has no think time left and the load turns closed — the knee shows where.
`StepShape` raises the number of shoppers step by step (LOAD_STEPS, LOAD_STEP_S seconds each).
"""

from __future__ import annotations

import csv
import itertools
import os
import time
from pathlib import Path
from typing import Any, TextIO

from locust import HttpUser, LoadTestShape, between, constant_throughput, events, task

DATA = Path(os.environ.get("LOAD_DATA", "."))
API_KEY = os.environ.get("LOAD_API_KEY", "")
ADMIN_KEY = os.environ.get("LOAD_ADMIN_KEY", "")
RATE_PER_USER = float(os.environ.get("LOAD_RATE_PER_USER", "0.25"))
STEPS = [int(s) for s in os.environ.get("LOAD_STEPS", "1,2,4,8").split(",")]
STEP_S = float(os.environ.get("LOAD_STEP_S", "30"))
ADMINS = int(os.environ.get("LOAD_ADMINS", "0"))  # admin users on top of the shoppers (fixed_count)
SAMPLES = os.environ.get("LOAD_SAMPLES")  # CSV of every request, for the per-step analysis
SWITCHED_MODEL = "style_transform"
MAX_SIDE = {"max_side": "512"}  # the answer at the photo's own size (512 px samples): nothing to downscale


def _file(name: str) -> tuple[str, bytes, str]:
    return name, (DATA / name).read_bytes(), "image/png"


class Shopper(HttpUser):
    abstract = True
    wait_time = constant_throughput(RATE_PER_USER)

    def on_start(self) -> None:
        self.client.headers["X-API-Key"] = API_KEY


class DesignTryOn(Shopper):
    weight = 3

    @task
    def design(self) -> None:
        files = {"person": _file("person.png"), "content": _file("content.png"), "style": _file("style.png")}
        self.client.post("/v1/tryon/design", files=files, data=MAX_SIDE, name="design try-on")


class CatalogTryOn(Shopper):
    """Registers its catalog garment once, then tries it on again and again (the shop's common case)."""

    weight = 3

    def on_start(self) -> None:
        super().on_start()
        response = self.client.post("/v1/garments", files={"image": _file("garment.png")},
                                    data={"category": "upper"}, name="register garment (on_start)")
        response.raise_for_status()
        self.garment_id = response.json()["id"]

    @task
    def catalog(self) -> None:
        self.client.post("/v1/tryon", files={"person": _file("person.png")},
                         data={"mode": "garment", "garment_id": self.garment_id, **MAX_SIDE}, name="catalog try-on")


class GarmentRegistration(Shopper):
    weight = 1

    @task
    def register(self) -> None:
        self.client.post("/v1/garments", files={"image": _file("garment.png")}, data={"category": "upper"},
                         name="register garment")


class Admin(HttpUser):
    """Loads versions 1 and 2 of the stylizer, then moves its split between 100/0 and 50/50 with think time.

    Version 1 is loaded explicitly first (as tests/integration/test_canary.py does): loading 2 alone on a fresh
    routing table would make it the serving version.
    """

    fixed_count = 1
    wait_time = between(5, 10)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        for version in (1, 2):
            self.client.post(f"/v1/admin/models/{SWITCHED_MODEL}/versions/{version}/load", name="admin: load version")
        self.splits = itertools.cycle([{"1": 50, "2": 50}, {"1": 100}])

    @task
    def switch(self) -> None:
        self.client.put(f"/v1/admin/models/{SWITCHED_MODEL}/split", json=next(self.splits), name="admin: move split")


class StepShape(LoadTestShape):
    """STEPS shoppers (plus the admins), each step STEP_S seconds, then stop."""

    def tick(self) -> tuple[int, float] | None:
        step = int(self.get_run_time() // STEP_S)
        if step >= len(STEPS):
            return None
        users = STEPS[step] + ADMINS
        return users, float(users)  # spawn the whole step within a second


class _Samples:
    """Every request as one CSV row: start (s since the test started), name, ms, ok; read by run.py."""

    def __init__(self) -> None:
        self.file: TextIO | None = None
        self.writer: Any = None
        self.started = 0.0

    def start(self, **_: Any) -> None:
        if SAMPLES:
            self.started = time.time()
            self.file = Path(SAMPLES).open("w", newline="")  # noqa: SIM115 (closed on quitting, below)
            self.writer = csv.writer(self.file)
            self.writer.writerow(["start_s", "name", "response_ms", "ok"])

    def request(self, name: str, response_time: float, exception: BaseException | None, start_time: float = 0.0,
                **_: Any) -> None:
        if self.writer is not None:
            self.writer.writerow([f"{start_time - self.started:.3f}", name, f"{response_time:.1f}",
                                  int(exception is None)])

    def stop(self, **_: Any) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


_samples = _Samples()
events.test_start.add_listener(_samples.start)
events.request.add_listener(_samples.request)
events.quitting.add_listener(_samples.stop)
