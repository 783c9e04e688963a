"""Every staff page goes through one guard: no staff page opens without the second factor.

The tests walk Django's URL map instead of listing URLs by hand, so a staff route added
later is covered without touching this file:

- every view under a staff prefix of a network's site carries the guard's marker;
- with ANLAUFSTELLE_REQUIRE_MFA, staff of every role who signed in with the password only
  (no TOTP yet) get no 200 from any guarded route, nor from any /admin/ route, by GET
  or POST, and no POST changes anything (e.g. creates a private calendar feed);
- no route of a network's site answers such a user 200 where it does not answer an
  anonymous visitor 200 as well (a staff page that forgot the guard).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import product
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern
from django_scopes import scopes_disabled
from tests.booking.conftest import make_schedule

from anlaufstelle.booking.models import Booking, FeedToken, Reservation
from anlaufstelle.cases.models import Concern
from anlaufstelle.networks.guards import is_staff_view

pytestmark = pytest.mark.django_db

SITE_PREFIX = "n/<slug:network_slug>/"
# Paths (after the network prefix) that belong to staff; a view under them must be guarded.
STAFF_PREFIXES = (
    "termine/kalender/",
    "anliegen/lotsen/",
    "anliegen/partner/",
    "assistent/verwaltung/",
    "veranstaltungen/verwaltung/",
    "austausch/verwaltung/",
    "sprechstunde/verwaltung/",
)
PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^)]*)\)")


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "n/<slug:network_slug>/termine/kalender/"
    name: str
    callback: Callable[..., Any]
    is_regex: bool


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner or namespace)
        elif isinstance(entry, URLPattern):
            yield Route(
                route=prefix + str(entry.pattern),
                name=f"{namespace}:{entry.name}",
                callback=entry.callback,
                is_regex=isinstance(entry.pattern, RegexPattern),
            )


def all_routes() -> list[Route]:
    return list(walk(get_resolver().url_patterns))


def site_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith(SITE_PREFIX)]


def admin_routes() -> list[Route]:
    return [r for r in all_routes() if r.route.startswith("admin/")]


def urls_for(route: Route, samples: dict[str, list[str]]) -> list[str]:
    """Every URL of `route` with each combination of the sample values for its parameters."""
    if route.is_regex:
        # The admin's app list (^(?P<app_label>a|b|c)/$) and its catch-all.
        def first_choice(match: re.Match[str]) -> str:
            body = match["body"]
            return body.split("|")[0] if re.fullmatch(r"[\w|]+", body) else "x"

        path = REGEX_GROUP.sub(first_choice, route.route).replace("^", "").replace("$", "")
        return ["/" + path]
    names = [m["name"] for m in PLACEHOLDER.finditer(route.route)]
    choices = [samples.get(name, ["x"]) for name in names]
    urls = []
    for combination in product(*choices):
        values = iter(combination)
        urls.append("/" + PLACEHOLDER.sub(lambda _m, values=values: next(values), route.route))
    return urls


@pytest.fixture
def mfa_required(settings: Any) -> None:
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEARCH_EMBEDDER = "none"
    settings.SEARCH_AUTO_INDEX = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def samples(personas: Any, mfa_required: None) -> dict[str, list[str]]:
    """Real objects of Feldberg, so that an unguarded detail page would really answer 200."""
    from anlaufstelle.booking import queries, services
    from anlaufstelle.cases import services as case_services
    from anlaufstelle.networks.scoping import network_scope

    feldberg = personas.feldberg
    schedule = make_schedule(feldberg.network, feldberg.provider, expert=feldberg.partner_expert)
    with network_scope(feldberg.network):
        slot = queries.free_slots([schedule], limit=1)[0]
        booking = services.book_slot(
            schedule=schedule,
            starts_at=slot.starts_at,
            name="Anja Muster",
            company="Hotel am See",
            email="anja@hotel-am-see.example",
            phone="",
            concern="Koch gesucht",
            consent=True,
            idempotency_key="guard-test",
            language="de",
        )
        concern = case_services.submit_concern(
            network=feldberg.network,
            text="Wir finden keinen Koch für die Saison.",
            contact_name="Anja Muster",
            company_name="Hotel am See",
            email="anja@hotel-am-see.example",
            phone="",
            wz_section="I",
            size_class="10-49",
            municipality="Feldberg",
            postcode="17258",
            urgency="urgent",
            consent=True,
            share_consent=True,
            idempotency_key="guard-test",
            language="de",
        )
    return {
        "network_slug": [feldberg.network.slug],
        "code": ["x", booking.code, concern.code, schedule.code],
        "slug": [feldberg.offer.slug],
        "object_id": ["1"],
        "id": ["1"],
        "content_type_id": ["1"],
    }


def password_only_clients(personas: Any) -> dict[str, Client]:
    """Staff of every role (and an operator) signed in with the password, no TOTP."""
    clients = {}
    for who in ("coordinator", "navigator", "partner_expert"):
        client = Client(raise_request_exception=False)
        client.force_login(getattr(personas.feldberg, who))
        clients[who] = client
    operator = Client(raise_request_exception=False)
    operator.force_login(personas.operator)
    clients["operator"] = operator
    return clients


def snapshot() -> tuple[int, ...]:
    with scopes_disabled():
        return (
            FeedToken.objects.count(),
            Booking.objects.count(),
            Reservation.objects.count(),
            Concern.objects.filter(assignee__isnull=False).count(),
        )


def test_every_view_under_a_staff_prefix_carries_the_guard() -> None:
    staff_routes = [
        r for r in site_routes() if r.route.removeprefix(SITE_PREFIX).startswith(STAFF_PREFIXES)
    ]
    # The map really has staff routes in both apps (the walk is not empty by accident).
    assert {r.name.split(":")[1] for r in staff_routes} >= {"booking", "cases"}
    unguarded = [r.name for r in staff_routes if not is_staff_view(r.callback)]
    assert unguarded == []


def test_the_calendar_feed_itself_is_a_token_page_not_a_staff_page() -> None:
    feed = next(r for r in site_routes() if r.name == "site:booking:feed")
    assert not is_staff_view(feed.callback)


def test_no_guarded_site_page_opens_without_the_second_factor(
    personas: Any, samples: dict[str, list[str]]
) -> None:
    guarded = [r for r in site_routes() if is_staff_view(r.callback)]
    assert len(guarded) >= 10
    before = snapshot()
    opened = []
    for who, client in password_only_clients(personas).items():
        for route in guarded:
            for url in urls_for(route, samples):
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    if response.status_code == 200:
                        opened.append((who, method, url))
                    elif response.status_code == 302:
                        # Straight to the TOTP setup (or the 404 for another role's page).
                        assert response["Location"] == "/accounts/2fa/totp/activate/", url
    assert opened == []
    # Nothing was written: in particular no private calendar feed was created.
    assert snapshot() == before
    with scopes_disabled():
        assert not FeedToken.objects.exists()


def test_no_site_page_shows_staff_more_than_the_public_without_the_second_factor(
    personas: Any, samples: dict[str, list[str]]
) -> None:
    anonymous = Client(raise_request_exception=False)
    opened = []
    for route in site_routes():
        for url in urls_for(route, samples):
            public = anonymous.get(url).status_code
            for who, client in password_only_clients(personas).items():
                if client.get(url).status_code == 200 and public != 200:
                    opened.append((who, url))
    assert opened == []


def test_no_back_office_page_opens_without_the_second_factor(
    personas: Any, samples: dict[str, list[str]]
) -> None:
    routes = admin_routes()
    assert len(routes) > 50
    clients = password_only_clients(personas)
    opened = []
    for who in ("coordinator", "operator"):
        for route in routes:
            for url in urls_for(route, samples):
                if clients[who].get(url).status_code == 200:
                    opened.append((who, url))
    assert opened == []


def test_staff_with_totp_still_reach_their_pages(
    personas: Any, samples: dict[str, list[str]]
) -> None:
    """The guard lets the right people in: the walk above is not green by refusing all."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    expert = personas.feldberg.partner_expert
    navigator = personas.feldberg.navigator
    for user in (expert, navigator):
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(navigator)
    response = client.get("/n/feldberg/termine/kalender/")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert client.get("/n/feldberg/anliegen/lotsen/").status_code == 200
    # A navigator is not a partner expert: that inbox is a 404, like a missing page.
    assert client.get("/n/feldberg/anliegen/partner/").status_code == 404
    # Staff of Feldberg are nobody on Stuttgart's site.
    assert client.get("/n/stuttgart/termine/kalender/").status_code == 404

    client.force_login(expert)
    assert client.get("/n/feldberg/anliegen/partner/").status_code == 200
    assert client.get("/n/feldberg/termine/kalender/reservierungen/").status_code == 404
    assert client.post("/n/feldberg/termine/kalender/abo/").status_code == 302
    with scopes_disabled():
        assert FeedToken.objects.filter(user=expert).count() == 1


def test_anonymous_visitors_of_a_staff_page_go_to_the_login(samples: Any) -> None:
    response = Client().get("/n/feldberg/termine/kalender/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
