"""Sample images that ship inside installed packages, so the demo needs no download."""

from __future__ import annotations

from pathlib import Path

import skimage

_DATA = Path(skimage.__file__).parent / "data"

# scikit-image's bundled test images (BSD-3 / public domain, see skimage/data/README.txt):
SAMPLE_PERSON = _DATA / "astronaut.png"  # Eileen Collins, NASA (public domain)
SAMPLE_CONTENT = _DATA / "chelsea.png"  # a pet: Stéfan van der Walt's cat
SAMPLE_ARTWORK = _DATA / "coffee.png"  # a cup of coffee, Rachel Michetti (CC0): warm, painterly style
