"""Each served SCHP parser through its stage client on the embedded backend: a label map at the photo's size
in its dataset's label set (placeholder weights here, so which labels is not checked)."""

from __future__ import annotations

import numpy as np
import pytest

from fittingroom.common.embedded import EmbeddedClient
from fittingroom.common.modelspec import ModelSpec
from fittingroom.segment.labels import SCHP_LABELS
from fittingroom.segment.parsing_client import HumanParser
from fittingroom.segment.spec import SCHP_ATR, SCHP_LIP, SCHP_PASCAL


@pytest.mark.slow
@pytest.mark.parametrize("spec", [SCHP_LIP, SCHP_ATR, SCHP_PASCAL], ids=lambda s: s.name)
async def test_every_parser_labels_the_whole_photo_in_its_label_set(embedded: EmbeddedClient, person: np.ndarray,
                                                                    spec: ModelSpec) -> None:
    photo = person[:300, :200]  # not square: the parser keeps the aspect and maps back onto the photo
    labels = await HumanParser(embedded, spec).parse(photo)
    assert labels.shape == photo.shape[:2] and labels.dtype == np.uint8
    assert int(labels.max()) < len(SCHP_LABELS[spec.name.removeprefix("schp_")])
