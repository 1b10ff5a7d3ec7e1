"""This CPU's measured sgemm peak: float32 numpy matmul of 2048x2048 matrices, every core.

Run in a child process with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed: some machines here set them
for older OpenBLAS builds, and they would pin a current numpy to a slower kernel. threadpoolctl then says
which kernel (OpenBLAS "architecture") and how many threads the measurement really used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from bench.common import Spread

SIZE = 2048
_CHILD = """
import json, time
import numpy as np
from threadpoolctl import threadpool_info
n, repeats = {size}, {repeats}
rng = np.random.default_rng(0)
a, b = (rng.random((n, n), dtype=np.float32) for _ in range(2))
a @ b  # warm-up: thread pool start and page faults
seconds = []
for _ in range(repeats):
    start = time.perf_counter()
    a @ b
    seconds.append(time.perf_counter() - start)
blas = [{{k: i.get(k) for k in ("internal_api", "architecture", "num_threads", "version")}}
        for i in threadpool_info() if i.get("user_api") == "blas"]
print(json.dumps({{"seconds": seconds, "blas": blas}}))
"""


def sgemm_peak(repeats: int = 7) -> dict[str, Any]:
    """GFLOP/s spread of one 2048² sgemm (2·n³ FLOPs), with the BLAS kernel that ran it."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    output = subprocess.run([sys.executable, "-c", _CHILD.format(size=SIZE, repeats=repeats)], env=env,
                            capture_output=True, text=True, check=True).stdout
    measured = json.loads(output.strip().splitlines()[-1])
    flops = 2 * SIZE**3
    return {
        "what": f"numpy float32 matmul {SIZE}x{SIZE} @ {SIZE}x{SIZE}, all cores",
        "gflops": Spread.of(measured["seconds"]).inverse(flops / 1e9).as_dict(),
        "blas": measured["blas"],
        "openblas_env_removed": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
                                 if k in os.environ},
    }
