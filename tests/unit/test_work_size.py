"""A large photo is tried on at a working size and what the try-on changed is laid back onto the photo."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self, cast

import numpy as np

from fittingroom.common.inference import InferenceClient
from fittingroom.common.stage import ModelUse
from fittingroom.tryon.pipeline import TryOnPipeline
from fittingroom.tryon.result import TryOnResult
from fittingroom.tryon.routing import VersionRouter
from fittingroom.tryon.work_size import onto_photo, working_copy

GREEN = (10, 200, 30)


def _photo(height: int, width: int) -> np.ndarray:
    return np.random.default_rng(3).integers(0, 256, (height, width, 3), np.uint8)


def test_a_photo_no_longer_than_the_working_side_is_its_own_working_copy() -> None:
    photo = _photo(100, 80)
    assert working_copy(photo, 100) is photo
    assert working_copy(photo, 50).shape == (50, 40, 3)


def test_what_the_try_on_changed_is_laid_onto_the_photo_and_nothing_else() -> None:
    """The working result's garment (a green block) at the photo's size; every pixel the try-on left as it was is
    the photo's own, at full sharpness, not the enlarged working copy; layers, landmarks and scale follow."""
    photo = _photo(2000, 1500)
    working = working_copy(photo, 1000)
    assert working.shape == (1000, 750, 3)
    image = working.copy()
    image[300:600, 200:500] = GREEN
    garment = np.zeros((1000, 750), np.uint8)
    garment[300:600, 200:500] = 1
    result = onto_photo(TryOnResult(image=image, mode="garment", layers={"garment": garment},
                                    fit_targets={"neck": (350.0, 300.0)}, shoulder_width=100.0), photo, working)
    assert result.image.shape == photo.shape and result.image.dtype == np.uint8
    assert (result.image[610:1190, 410:990] == GREEN).all()  # inside the block, clear of its feathered edge
    untouched = np.ones(photo.shape[:2], bool)
    untouched[590:1210, 390:1010] = False  # the block and its edge, a few px out
    assert np.array_equal(result.image[untouched], photo[untouched])
    assert result.layers["garment"].shape == photo.shape[:2] and result.layers["garment"][900, 700] == 1
    assert result.fit_targets["neck"] == (700.0, 600.0) and result.shoulder_width == 200.0


@dataclass(frozen=True)
class _Request:
    person: np.ndarray

    def with_person(self, person: np.ndarray) -> Self:
        return type(self)(person)


class _Router:
    async def acquire(self, models: Iterable[str], pins: Mapping[str, int] | None = None) -> dict[str, ModelUse]:
        return {}

    async def release(self, uses: Iterable[ModelUse]) -> None:
        return None


class _Painter(TryOnPipeline[_Request]):
    """Paints the working copy's middle green and remembers the size it was given."""

    mode = "test"
    models = ()
    work_side = 64
    seen: tuple[int, ...] = ()

    def check_inputs(self, request: _Request) -> None:
        return None

    async def _run(self, request: _Request, result: TryOnResult) -> TryOnResult:
        type(self).seen = request.person.shape
        image = request.person.copy()
        image[24:40, 16:32] = GREEN
        result.image = image
        return result


async def test_a_pipeline_with_a_working_side_runs_at_it_and_answers_at_the_photo_s_size() -> None:
    pipeline = _Painter(cast(InferenceClient, object()), cast(VersionRouter, cast(Any, _Router())))
    photo = _photo(256, 192)
    result = await pipeline(_Request(photo))
    assert _Painter.seen == (64, 48, 3)
    assert result.image.shape == photo.shape
    assert (result.image[110:150, 75:115] == GREEN).all()
    assert np.array_equal(result.image[:80], photo[:80])
    assert "onto_photo" in result.timings_ms
    small = _photo(64, 48)  # no larger than the working side: run as it is, nothing laid back
    assert np.array_equal((await pipeline(_Request(small))).image[:20], small[:20])
    assert "onto_photo" not in (await pipeline(_Request(small))).timings_ms
