from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from anlaufstelle.search.evaluation import case_metrics


def test_metrics_follow_the_definitions_of_the_eval_readme():
    relevant = {"offer:a": 2, "provider:b": 1}
    m = case_metrics(["offer:x", "provider:b", "offer:a"], relevant, 10)
    assert m["hit@1"] == 0.0 and m["hit@5"] == 1.0
    assert m["rr"] == pytest.approx(1 / 3)
    assert m["recall@10"] == 1.0
    assert m["first_relevant_rank"] == 3
    ideal = 3 + 1 / 1.5849625
    assert m["ndcg@10"] == pytest.approx((1 / 1.5849625 + 3 / 2) / ideal)
    assert case_metrics([], relevant, 10)["rr"] == 0.0


def test_evaluate_search_prints_one_json_object(search_world, tmp_path):
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps(
            {
                "id": "t1",
                "network": "feldberg",
                "query": "Lehrling bei der HWK anmelden",
                "profile": {"industry": "F", "employees": 4, "postcode": "17258"},
                "relevant": {"offer:hwk-ausbildungsberatung": 2},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("evaluate_search", "--queries", str(queries), "--mode", "lexical", stdout=out)
    report = json.loads(out.getvalue())
    assert report["hit@1"] == 1.0 and report["mrr"] == 1.0
    assert report["per_query"] == [
        {
            "id": "t1",
            "rank": 1,
            "first_listed_rank": 1,
            "ndcg@10": 1.0,
            "top": report["per_query"][0]["top"],
        }
    ]
    for key in ("hit@5", "recall@10", "ndcg@10", "p50_ms", "p95_ms"):
        assert key in report
    out = StringIO()
    call_command("evaluate_search", "--queries", str(queries), "--mode", "plain", stdout=out)
    assert json.loads(out.getvalue())["hit@1"] == 0.0
