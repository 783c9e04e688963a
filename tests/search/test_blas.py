"""search.blas: numpy's BLAS runs on one thread once the semantic side has been used."""

from __future__ import annotations

import numpy as np
from threadpoolctl import threadpool_info

from anlaufstelle.search.blas import single_threaded_blas


def test_numpy_blas_is_limited_to_one_thread():
    np.ones((4, 4)) @ np.ones(4)  # numpy's BLAS is loaded
    assert single_threaded_blas() is True
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
    assert single_threaded_blas() is True  # idempotent
