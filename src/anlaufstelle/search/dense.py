"""Dense cosines of one network's rows against a query, exact or prefiltered.

Up to `PREFILTER_MIN_ROWS` rows the query is multiplied with the whole matrix (rows ×
384 float32). Beyond that the product reads the whole matrix for every query — 146 MB
at 100,000 rows, 11 ms on a quiet core and 40 ms under load, because it is bound by
memory bandwidth — so a larger network keeps a second, narrow matrix: each row's
coordinates along the `REDUCED_DIMENSIONS` principal directions of its own rows. The
narrow product gives every row an approximate cosine (a third of the reads); the
caller takes the best rows by the approximate score and asks for their exact cosines
(`exact`), so the scores of the rows that are ranked are exact.

The statistics that turn cosines into z-scores are exact in both cases: the mean
cosine over all rows is q·μ and its second moment qᵀCq, with μ the mean row and C the
rows' second-moment matrix, both kept from the build (docs/decisions/0003-search.md,
decision 12).
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .blas import single_threaded_blas

# Networks smaller than this are scored exactly (every row, every dimension).
PREFILTER_MIN_ROWS = 20_000
# Principal directions kept for the approximate first pass (of 384; 96 and 192 measured).
REDUCED_DIMENSIONS = 128


@dataclass
class DenseScores:
    """Cosines of every row (approximate where `approximate`), their exact mean and
    standard deviation over all rows."""

    cosines: np.ndarray
    mean: float
    std: float
    approximate: bool


@dataclass
class DenseIndex:
    matrix: np.ndarray  # (rows, dim) float32, L2-normalised
    mean: np.ndarray | None = None  # (dim,) float64: the mean row
    second_moment: np.ndarray | None = None  # (dim, dim) float64: XᵀX / rows
    basis: np.ndarray | None = None  # (dim, k) float32: principal directions
    reduced: np.ndarray | None = None  # (rows, k) float32: (x − mean) · basis

    @classmethod
    def build(cls, matrix: np.ndarray, min_rows: int | None = None) -> DenseIndex:
        index = cls(matrix=matrix)
        rows = len(matrix)
        min_rows = PREFILTER_MIN_ROWS if min_rows is None else min_rows
        if rows < max(min_rows, 1) or matrix.shape[1] <= REDUCED_DIMENSIONS:
            return index
        mean = matrix.mean(axis=0, dtype=np.float64)
        second = np.zeros((matrix.shape[1], matrix.shape[1]), dtype=np.float64)
        for start in range(0, rows, 8192):  # in blocks: no float64 copy of the matrix
            block = matrix[start : start + 8192].astype(np.float64)
            second += block.T @ block
        second /= rows
        _, vectors = np.linalg.eigh(second - np.outer(mean, mean))
        basis = np.ascontiguousarray(vectors[:, ::-1][:, :REDUCED_DIMENSIONS], dtype=np.float32)
        reduced = np.empty((rows, REDUCED_DIMENSIONS), dtype=np.float32)
        centre = mean.astype(np.float32)
        for start in range(0, rows, 8192):
            reduced[start : start + 8192] = (matrix[start : start + 8192] - centre) @ basis
        index.mean, index.second_moment, index.basis, index.reduced = mean, second, basis, reduced
        return index

    @property
    def prefiltered(self) -> bool:
        return self.reduced is not None

    def nbytes(self) -> int:
        arrays = (self.matrix, self.mean, self.second_moment, self.basis, self.reduced)
        return sum(a.nbytes for a in arrays if a is not None)

    def scores(self, query: np.ndarray) -> DenseScores:
        query = np.asarray(query, dtype=np.float32)
        if self.reduced is None or self.basis is None or self.mean is None:
            cosines = self.matrix @ query
            if not len(cosines):
                return DenseScores(cosines, 0.0, 0.0, False)
            mean, std = cosines.mean(dtype=np.float64), cosines.std(dtype=np.float64)
            return DenseScores(cosines, float(mean), float(std), False)
        q64 = query.astype(np.float64)
        second = self.second_moment
        assert second is not None  # built together with the basis
        mean = float(self.mean @ q64)
        variance = float(q64 @ second @ q64) - mean * mean
        cosines = self.reduced @ (query @ self.basis)
        cosines += np.float32(mean)
        return DenseScores(cosines, mean, max(variance, 0.0) ** 0.5, True)

    def exact(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact cosines of the rows at positions `rows`.

        From `SPLIT_MIN_ROWS` rows on, the second half is computed on a helper thread
        meanwhile: gathering the rows and the product release the GIL, the embedding's
        two threads are done by then, so both cores work (5,000 rows of 384: 1.4 ->
        0.7 ms). While another search of this process has the helper, all of it is
        computed here: waiting for the helper would be slower than not splitting."""
        query = np.asarray(query, dtype=np.float32)
        if len(rows) < SPLIT_MIN_ROWS or not _helper_free.acquire(blocking=False):
            return _product(self.matrix, rows, query)
        try:
            half = len(rows) // 2
            second = _helper().submit(_product, self.matrix, rows[half:], query)
            first = _product(self.matrix, rows[:half], query)
            return np.concatenate([first, second.result()])
        finally:
            _helper_free.release()


# `exact` splits its work in two from this many rows (at 100,000 rows it gets 5,000).
SPLIT_MIN_ROWS = 2_000
_helper_free = threading.Semaphore(1)
_helper_lock = threading.Lock()
_HELPER: tuple[int, ThreadPoolExecutor] | None = None


def _helper() -> ThreadPoolExecutor:
    """One thread per process, created on first use and anew in a forked child (a pool
    made before a fork has no thread there); it only multiplies arrays, never touches
    the database."""
    global _HELPER
    with _helper_lock:
        if _HELPER is None or _HELPER[0] != os.getpid():
            pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dense-exact")
            _HELPER = (os.getpid(), pool)
        return _HELPER[1]


def _product(matrix: np.ndarray, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
    single_threaded_blas()  # once per process; see blas.py
    return matrix[rows] @ query
