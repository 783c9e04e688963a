"""GET /api/v1/networks/{network}/search: the site's search as JSON (same ranking,
filters, reasons and "no good match"), documented, and 4xx never 5xx for odd input."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scopes_disabled
from tests.search.conftest import embedded_world  # noqa: F401  (fixture)

from anlaufstelle.api.api import api
from anlaufstelle.networks.scoping import network_scope
from anlaufstelle.search.models import SearchQueryLog
from anlaufstelle.search.queries import run_search

URL = "/api/v1/networks/feldberg/search"
GENUINE = "Zuschuss wenn wir einen Langzeitarbeitslosen einstellen"
OFF_TOPIC = "Wie wird das Wetter am Wochenende"


def get(client: Client, params: dict[str, Any], status: int = 200) -> Any:
    response = client.get(URL, params)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_a_question_gets_the_pages_ranking_with_reasons(client, embedded_world):  # noqa: F811
    data = get(client, {"q": GENUINE, "limit": 60})
    assert data["no_good_match"] is False and data["message"] == ""
    network = embedded_world.feldberg
    with network_scope(network):
        page = run_search(network, GENUINE, {})
    assert [item["ref"] for item in data["items"]] == [d.ref for d in page.documents]
    assert data["count"] == page.total > 0
    first = data["items"][0]
    assert first["ref"] == "offer:eingliederungszuschuss"
    assert first["url"].startswith("http://testserver/n/feldberg/")
    assert first["reasons"] and all(isinstance(r, str) and r for r in first["reasons"])
    assert "<mark>" not in first["snippet"]
    assert data["navigators"]["concern_url"].startswith("http://testserver/n/feldberg/anliegen/")
    # Topic tiles only when nothing is listed.
    assert data["navigators"]["topics"] == []


def test_an_off_topic_question_gets_no_good_match_and_the_way_to_the_navigators(
    client,
    embedded_world,  # noqa: F811
):
    data = get(client, {"q": OFF_TOPIC})
    assert data["no_good_match"] is True
    assert data["items"] == [] and data["count"] == 0
    assert data["message"] == "Keine passenden Angebote gefunden."
    assert "text=Wie+wird+das+Wetter" in data["navigators"]["concern_url"]
    topics = data["navigators"]["topics"]
    assert topics and all(t["url"].endswith(f"?thema={t['slug']}") for t in topics)


def test_filters_work_like_the_pages_facets(client, embedded_world):  # noqa: F811
    everything = get(client, {"q": "Ausbildung Betriebe", "limit": 60})
    offers = get(client, {"q": "Ausbildung Betriebe", "type": "offer", "limit": 60})
    assert {item["type"] for item in offers["items"]} == {"offer"}
    assert offers["count"] <= everything["count"]
    topic = get(client, {"q": "Ausbildung Betriebe", "topic": "ausbildung", "limit": 60})
    assert topic["count"] >= 1
    assert any(o["value"] == "ausbildung" and o["selected"] for o in topic["facets"]["topic"])
    paged = get(client, {"q": "Ausbildung Betriebe", "limit": 1, "offset": 1})
    assert [i["ref"] for i in paged["items"]] == [i["ref"] for i in everything["items"][1:2]]


def test_each_search_is_logged_without_personal_data(client, embedded_world):  # noqa: F811
    get(client, {"q": "Zuschuss, Rückruf an max@example.org"})
    with scopes_disabled():
        log = SearchQueryLog.objects.get(mode="api")
    assert "max@example.org" not in log.query and log.network_id == embedded_world.feldberg.pk


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"q": ""}, 422),
        ({"q": "   "}, 422),
        ({"q": "x" * 301}, 422),
        ({"q": "Zuschuss", "limit": 0}, 422),
        ({"q": "Zuschuss", "limit": 61}, 422),
        ({"q": "Zuschuss", "offset": -1}, 422),
        ({"q": "Zuschuss", "offset": "abc"}, 422),
        ({"q": "Zuschuss", "kind": "nonsense"}, 422),
        ({"q": "Zuschuss", "topic": "t" * 161}, 422),
        ({"q": "Zuschuss", "topic": [f"t{i}" for i in range(21)]}, 422),
        ({"q": "Zu\x00schuss"}, 400),
        ({"q": "' OR 1=1 --"}, 200),
        ({"q": "<script>alert(1)</script>"}, 200),
        ({"q": "Zuschuss", "region": "../../etc/passwd"}, 200),
        ({"q": "🙂" * 100}, 200),
    ],
)
def test_odd_input_is_a_4xx_never_a_5xx(client, personas, params, status):
    response = client.get(URL, params)
    assert response.status_code == status, response.content[:300]
    if status == 422:
        assert response.json()["errors"]


def test_another_or_unknown_network_is_a_404(client, db):
    assert client.get("/api/v1/networks/gibt-es-nicht/search", {"q": "x"}).status_code == 404


def test_the_operation_is_documented_in_the_schema():
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/networks/{network}/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"network", "q", "topic", "kind", "audience", "provider", "type", "limit"} <= names
    assert {"200", "400", "404", "422"} <= {str(code) for code in operation["responses"]}
    out = schema["components"]["schemas"]["SearchOut"]["properties"]
    assert {"no_good_match", "items", "navigators", "facets", "suggestion"} <= set(out)
