"""What an export shows while it works: "model k of n" with the elapsed time, one line for the whole run.

On a terminal a tqdm bar redraws one line (log records and download bars print above and below it);
elsewhere (CI logs, `| tee`) each model gets one plain line when it is done, so a log reads top to bottom.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm


class ExportProgress:
    """Counts the models of one export and times each."""

    def __init__(self, total: int, *, stream: TextIO = sys.stderr) -> None:
        self.total = total
        self.stream = stream
        self.interactive = stream.isatty()
        self.started = time.monotonic()
        self.bar = tqdm(total=total, file=stream, bar_format="export: {desc} [{elapsed}]", leave=False,
                        disable=not self.interactive, dynamic_ncols=True)

    @contextmanager
    def model(self, index: int, name: str) -> Iterator[None]:
        """Around the build (or up-to-date check) of the `index`-th model (from 1)."""
        self.bar.set_description_str(f"model {index} of {self.total}, {name}")
        started = time.monotonic()
        with logging_redirect_tqdm():  # log records print above the bar instead of through it
            yield
        if not self.interactive:
            tqdm.write(f"export: model {index} of {self.total}, {name}: {time.monotonic() - started:.1f} s",
                  file=self.stream)
        self.bar.update()

    def close(self) -> None:
        self.bar.close()
        tqdm.write(f"export: {self.total} model{'s' if self.total != 1 else ''} ready in "
              f"{time.monotonic() - self.started:.0f} s", file=self.stream)
