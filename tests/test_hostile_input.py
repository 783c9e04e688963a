"""A fixed list of hostile inputs against every URL of the site and the API: never a 5xx.

The URL resolver is walked, so a new route is covered without touching this file. Each
route is requested with its path parameters filled from real rows (a booking, a concern,
a room, ...) and with hostile ones; every query parameter and form field the views read
gets each hostile value; the public forms get one hostile field in an otherwise valid
submission. Runs on SQLite and on PostgreSQL (which refuses NUL in text, where SQLite
stores it). Failures are collected and listed together, with the exception behind each.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scopes_disabled

from booking.conftest import booking_data, make_schedule
from cases.conftest import form_data as concern_form_data
from chat.walk import hostile_walk_values as chat_walk_values
from community.admin_rows import hostile_walk_values as community_walk_values
from mediathek.admin_rows import hostile_walk_values as mediathek_walk_values

NUL = "\x00"

# Values for query strings and form fields (sent URL-encoded, so NUL arrives as NUL).
HOSTILE_VALUES: list[str] = [
    f"abc{NUL}def",
    "-1",
    "99999999999999999999999999999999",
    "1e309",
    "9999-12-31",
    "0001-01-01",
    "99991231T2330Z",
    "00010101T0000Z",
    "2027-01-14T09:00:00",
    "x" * 5000,
    "../../../../etc/passwd",
    "' OR '1'='1' --",
    "<script>alert(1)</script>",
    "\u202e\ufeff\u0301𝔘𝔫𝔦😀",
    "[]",
    "",
]

# Values for path segments (the `str` converter takes anything but "/").
HOSTILE_PATH_VALUES: list[str] = [
    NUL,
    "x" * 3000,
    "99999999999999999999",
    "-1",
    "..",
    "' OR '1'='1",
    "😀",
    "%ff",
]

# Every parameter name a view reads, plus the search facets and a few generic ones.
QUERY_PARAMS = [
    "q", "ab", "termin", "tag", "ansicht", "seite", "gebucht", "text", "ref", "rang", "neu",
    "suchlauf", "thema", "art", "zielgruppe", "anbieter", "format", "region", "typ", "tab",
    "offset", "limit", "start", "day", "next", "page", "o", "p", "eingebettet", "panel",
]  # fmt: skip
FORM_FIELDS = [
    "name", "company", "email", "phone", "concern", "consent", "idempotency_key", "termin",
    "day", "start", "end", "purpose", "slot", "message", "aktion", "code", "post",
    "bestaetigen", "text", "contact_name", "company_name", "wz_section", "size_class",
    "municipality", "postcode", "urgency", "share_consent", "body", "language", "next",
    "nachricht", "gespraech", "schritt", "eingebettet", "zeigen", "panel",
]  # fmt: skip

# Routes left to their own test modules: the admin has its own (see test_admin_*).
SKIP_PREFIXES = ("admin/",)


@dataclass
class Route:
    name: str
    pattern: str  # e.g. "n/<slug:network_slug>/termine/termin/<str:code>/<str:token>/"
    params: list[str] = field(default_factory=list)

    def url(self, values: dict[str, str]) -> str:
        def fill(match: re.Match) -> str:
            return quote(values[match["name"]], safe="")

        return "/" + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", fill, self.pattern)


def walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            if pattern.startswith(SKIP_PREFIXES) or "(?P<" in pattern or "^" in pattern:
                continue  # allauth's regex routes are covered by allauth's own tests
            params = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
            yield Route(f"{namespace}{entry.name or pattern}", pattern, params)


def routes(area: str | None = None) -> list[Route]:
    return [r for r in walk(get_resolver().url_patterns) if area in (None, area_of(r))]


# The big walks run once per area, so that pytest-xdist can share them out.
AREAS = ["booking", "cases", "site", "api", "accounts", "other"]


def area_of(route: Route) -> str:
    if route.pattern.startswith("n/"):
        if "/termine/" in route.pattern:
            return "booking"
        return "cases" if "/anliegen/" in route.pattern else "site"
    for area in ("api", "accounts"):
        if route.pattern.startswith(f"{area}/"):
            return area
    return "other"


@dataclass
class World:
    """Real rows to fill path parameters with, and clients (anonymous and staff)."""

    network: Any
    values: dict[str, dict[str, str]]
    anonymous: Client
    staff: list[Client]

    def real(self, route: Route) -> dict[str, str]:
        filled = {"network_slug": "feldberg", "network": "feldberg", "slug": "x", "code": "x"}
        filled.update(self.values.get(route.name, {}))
        filled.setdefault("token", "x")
        filled.setdefault("file_code", "x")
        filled.setdefault("entry_code", "x")
        filled.setdefault("kind", "impressum")
        return filled


@pytest.fixture
def world(personas: Any, settings: Any) -> World:
    from anlaufstelle.booking import services, tokens
    from anlaufstelle.booking.models import FeedToken, OpeningHours, Resource, ResourceKind
    from anlaufstelle.booking.queries import free_slots
    from anlaufstelle.cases import links
    from anlaufstelle.cases import services as case_services
    from anlaufstelle.networks.scoping import network_scope

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEARCH_EMBEDDER = "none"
    settings.SEARCH_AUTO_INDEX = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Hundreds of requests from one address: the rate limits would answer most with 429.
    settings.ANLAUFSTELLE_RATE_LIMITS = {}
    # The scheduler ran a moment ago: /readyz is ready here, so a 5xx from it is a fault.
    from anlaufstelle.ops.models import JobRun

    JobRun.objects.create(name="retry_mail", started_at=timezone.now())
    settings.ACCOUNT_RATE_LIMITS = False
    feldberg = personas.feldberg
    network = feldberg.network
    schedule = make_schedule(network, feldberg.provider, expert=feldberg.partner_expert)
    with scopes_disabled():
        room = Resource.objects.create(
            network=network,
            provider=feldberg.provider,
            name="Besprechungsraum",
            kind=ResourceKind.MEETING_ROOM,
            capacity=6,
            min_minutes=30,
        )
        for weekday in range(7):
            OpeningHours.objects.create(
                network=network, resource=room, weekday=weekday, opens="07:00", closes="20:00"
            )
        feed = FeedToken.objects.create(network=network, user=feldberg.partner_expert)
    with network_scope(network):
        slot = free_slots([schedule], limit=1)[0]
        booking = services.book_slot(
            schedule=schedule, starts_at=slot.starts_at, idempotency_key="hostile-1",
            **booking_data(),
        )  # fmt: skip
        day = timezone.localdate() + timedelta(days=2)
        starts = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        reservation = services.reserve_resource(
            resource=room,
            starts_at=starts + timedelta(hours=9),
            ends_at=starts + timedelta(hours=10),
            name="Anja Muster",
            email="anja@example.org",
            consent=True,
            idempotency_key="hostile-2",
        )
        concern = case_services.submit_concern(
            network=network,
            text="Wir finden keinen Koch für die Saison. Was können wir tun?",
            contact_name="Anja Muster",
            email="anja@hotel-am-see.example",
            consent=True,
        )
    booking_link = {"code": booking.code}
    reservation_link = {"code": reservation.code}
    values = {
        "site:offer": {"slug": feldberg.offer.slug},
        "site:provider": {"slug": feldberg.provider.slug},
        "site:booking:schedule": {"code": schedule.code},
        "site:booking:book": {"code": schedule.code},
        "site:booking:offer": {"slug": feldberg.offer.slug},
        "site:booking:provider": {"slug": feldberg.provider.slug},
        "site:booking:view": {**booking_link, "token": tokens.make_token(booking, "view")},
        "site:booking:ics": {**booking_link, "token": tokens.make_token(booking, "view")},
        "site:booking:cancel": {**booking_link, "token": tokens.make_token(booking, "cancel")},
        "site:booking:move": {**booking_link, "token": tokens.make_token(booking, "move")},
        "site:booking:resource": {"code": room.code},
        "site:booking:reservation_view": {
            **reservation_link,
            "token": tokens.make_token(reservation, "view", kind="reservation"),
        },
        "site:booking:reservation_cancel": {
            **reservation_link,
            "token": tokens.make_token(reservation, "cancel", kind="reservation"),
        },
        "site:booking:expert_cancel": booking_link,
        "site:booking:feed": {"token": feed.token},
        "site:cases:status": {"code": concern.code, "token": links.make_token(concern)},
        "site:cases:concern": {"code": concern.code},
        "site:cases:book": {"code": concern.code},
        "site:cases:partner_concern": {"code": concern.code},
        **chat_walk_values(network, concern, feldberg.coordinator, settings),
        "api-v1:get_offer": {"slug": feldberg.offer.slug},
        "api-v1:get_provider": {"slug": feldberg.provider.slug},
        "api-v1:free_slots": {"code": schedule.code},
        "api-v1:create_booking": {"code": schedule.code},
        "api-v1:cancel_booking": booking_link,
        "api-v1:resource_busy": {"code": room.code},
        "api-v1:create_reservation": {"code": room.code},
    }
    with scopes_disabled():
        values.update(mediathek_walk_values(personas, settings))
        values.update(community_walk_values(personas))
    staff = []
    for user in (feldberg.coordinator, feldberg.partner_expert):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        staff.append(client)
    return World(network, values, Client(raise_request_exception=False), staff)


def _clients(world: World, route: Route) -> list[Client]:
    """Anonymous; for staff pages also signed in, so their views run, not only the login."""
    if "/partner/" in route.pattern:
        return [world.anonymous, world.staff[1]]
    if any(part in route.pattern for part in ("/kalender/", "/lotsen/", "/verwaltung/")):
        return [world.anonymous, world.staff[0]]
    return [world.anonymous]


def _problem(method: str, url: str, response: Any) -> str:
    exc = getattr(response, "exc_info", None)
    cause = f" {exc[0].__name__}: {str(exc[1])[:160]}" if exc else ""
    return f"{method} {url[:160]!r} -> {response.status_code}{cause}"


class Failures(list):
    def check(self, method: str, url: str, response: Any) -> None:
        if response.status_code >= 500:
            self.append(_problem(method, url, response))


@pytest.mark.parametrize("area", AREAS)
def test_hostile_query_strings_never_cause_a_server_error(world: World, area: str) -> None:
    failures = Failures()
    for route in routes(area):
        url = route.url(world.real(route))
        for client in _clients(world, route):
            for value in HOSTILE_VALUES:
                query = {param: value for param in QUERY_PARAMS}
                failures.check("GET", url, client.get(url, query))
    assert not failures, "\n".join(failures)


def test_every_route_belongs_to_an_area_and_the_walk_finds_them_all() -> None:
    found = routes()
    assert sum(len(routes(area)) for area in AREAS) == len(found)
    names = {route.name for route in found}
    assert {"site:booking:book", "site:cases:status", "api-v1:create_booking", "healthz"} <= names


def test_nul_in_cookies_never_causes_a_server_error(world: World) -> None:
    # The session key is looked up in the database; PostgreSQL refuses NUL in text.
    failures = Failures()
    cookies = f"sessionid=abcdefghij{NUL}klmnop; csrftoken={NUL}abc; django_language=d{NUL}e"
    for route in routes():
        url = route.url(world.real(route))
        client = Client(raise_request_exception=False, HTTP_COOKIE=cookies)
        failures.check("GET", url, client.get(url))
    assert not failures, "\n".join(failures)


HOSTILE_HEADERS = {
    "HTTP_ACCEPT_LANGUAGE": "x" * 3000 + ",de;q=abc,*;q=-1",
    "HTTP_X_FORWARDED_FOR": "' OR 1=1 --, 999.999.999.999, ::ffff:zz",
    "HTTP_X_REAL_IP": "not-an-address",
    "HTTP_HX_REQUEST": "true",
    "HTTP_HX_HISTORY_RESTORE_REQUEST": "true",
    "HTTP_HX_CURRENT_URL": "javascript:alert(1)",
    "HTTP_IF_MODIFIED_SINCE": "Mon, 99 Foo 99999 99:99:99 GMT",
    "HTTP_IF_NONE_MATCH": '"' + "x" * 2000,
    "HTTP_RANGE": "bytes=999999999999999999999-",
    "HTTP_REFERER": "http://[::1",
}


def test_hostile_headers_never_cause_a_server_error(world: World) -> None:
    failures = Failures()
    for route in routes():
        url = route.url(world.real(route))
        for client in _clients(world, route):
            failures.check(
                "GET", url, client.get(url, {"q": "Koch", "tag": "9999-12-31"}, **HOSTILE_HEADERS)
            )
            failures.check("POST", url, client.post(url, {"termin": "x"}, **HOSTILE_HEADERS))
        failures.check("GET", url, world.anonymous.get(url, HTTP_HOST="evil.example\x00"))
    assert not failures, "\n".join(failures)


def test_hostile_path_parameters_never_cause_a_server_error(world: World) -> None:
    failures = Failures()
    for route in routes():
        real = world.real(route)
        for param in route.params:
            for value in HOSTILE_PATH_VALUES:
                url = route.url({**real, param: value})
                if value == "%ff":  # invalid UTF-8 in the path, sent as is
                    url = url.replace("%25ff", "%ff")
                for client in _clients(world, route):
                    failures.check("GET", url, client.get(url))
    assert not failures, "\n".join(failures)


def _json_body(value: str) -> str:
    return json.dumps({name: value for name in FORM_FIELDS})


@pytest.mark.parametrize("area", AREAS)
def test_hostile_form_posts_never_cause_a_server_error(world: World, area: str) -> None:
    failures = Failures()
    for route in routes(area):
        url = route.url(world.real(route))
        for client in _clients(world, route):
            for value in HOSTILE_VALUES:
                form = {name: value for name in FORM_FIELDS}
                failures.check("POST", url, client.post(url, form))
                if route.pattern.startswith("api/"):
                    body = _json_body(value)
                    headers = {"Idempotency-Key": "k"}
                    response = client.post(
                        url, body, content_type="application/json", headers=headers
                    )
                    failures.check("POST json", url, response)
    assert not failures, "\n".join(failures)


# One field at a time in an otherwise valid submission, so the hostile value gets past
# the other fields' validation and reaches the service.
FIELD_VALUES = [
    f"abc{NUL}def",
    "99999999999999999999999999999999",
    "9999-12-31",
    "0001-01-01",
    "99991231T2330Z",
    "x" * 5000,
    "' OR '1'='1' --",
    "\u202e\ufeff\u0301𝔘𝔫𝔦😀",
]


def test_one_hostile_field_in_a_valid_public_form_never_causes_a_server_error(
    world: World,
) -> None:
    from anlaufstelle.booking.queries import format_slot_key, free_slots, get_schedule_or_404
    from anlaufstelle.networks.scoping import network_scope

    book = world.values["site:booking:book"]["code"]
    with network_scope(world.network):
        slot = free_slots([get_schedule_or_404(book)], limit=3)[-1]
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    forms = {
        f"/n/feldberg/termine/sprechstunde/{book}/buchen/": {
            **booking_data(consent="on"),
            "termin": format_slot_key(slot.starts_at),
        },
        f"/n/feldberg/termine/raeume/{world.values['site:booking:resource']['code']}/": {
            **booking_data(consent="on"),
            "day": day,
            "start": "11:00",
            "end": "12:00",
            "purpose": "Workshop",
        },
        "/n/feldberg/anliegen/": concern_form_data(),
    }
    failures = Failures()
    for url, valid in forms.items():
        # The base really is valid: it is accepted (redirect to the confirmation).
        assert world.anonymous.post(url, {**valid, "idempotency_key": "ok"}).status_code == 302
        for name in valid:
            for i, value in enumerate(FIELD_VALUES):
                data = {**valid, name: value, "idempotency_key": f"{name}-{i}"}
                failures.check(
                    "POST", f"{url} {name}={value[:20]!r}", world.anonymous.post(url, data)
                )
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("area", AREAS)
def test_odd_methods_and_bodies_never_cause_a_server_error(world: World, area: str) -> None:
    # Wrong types for the whole request: JSON or a file where a form is expected, a form
    # where JSON is expected, methods no page offers.
    from django.core.files.uploadedfile import SimpleUploadedFile

    failures = Failures()
    for route in routes(area):
        url = route.url(world.real(route))
        for client in _clients(world, route):
            for body, kind in (
                ('{"text": ["x"], "body": {"a": 1}, "consent": true}', "application/json"),
                ("[1, 2, 3]", "application/json"),
                ("text=x&body=y", "application/json"),
                ("\x00\xff\xfe", "text/plain"),
            ):
                failures.check(f"POST {kind}", url, client.post(url, body, content_type=kind))
            upload = SimpleUploadedFile("../../etc/passwd", b"\x00" * 10, "application/pdf")
            failures.check("POST file", url, client.post(url, {"datei": upload, "text": "x"}))
            for method in ("put", "patch", "delete", "options"):
                failures.check(method.upper(), url, getattr(client, method)(url, "x=1"))
    assert not failures, "\n".join(failures)


def test_a_post_without_a_csrf_token_is_refused_on_every_page(world: World, personas: Any) -> None:
    # The site's forms are all behind Django's CSRF check: a POST without the token is a 403
    # before any view runs, for visitors and for signed-in staff alike (the API, which
    # takes no cookies for its writes, is not part of this walk).
    anonymous = Client(enforce_csrf_checks=True, raise_request_exception=False)
    staff = Client(enforce_csrf_checks=True, raise_request_exception=False)
    staff.force_login(personas.feldberg.coordinator)
    accepted, checked = [], 0
    for route in routes():
        if route.pattern.startswith("api/"):
            continue
        url = route.url(world.real(route))
        for who, client in (("anonymous", anonymous), ("staff", staff)):
            response = client.post(url, {name: "x" for name in FORM_FIELDS})
            checked += 1
            if response.status_code != 403:
                accepted.append(f"{who}: {_problem('POST', url, response)}")
    assert checked > 200
    assert not accepted, "\n".join(accepted)


def test_another_networks_rows_are_not_found_under_this_networks_address(
    world: World, personas: Any
) -> None:
    # Feldberg's real codes, slugs and signed links under Stuttgart's address: nothing is
    # shown (4xx or a redirect to sign in), to Stuttgart's staff or to a visitor.
    stuttgart_staff = Client(raise_request_exception=False)
    stuttgart_staff.force_login(personas.stuttgart.coordinator)
    shown, checked = [], 0
    for route in routes():
        if not route.pattern.startswith("n/") or route.name not in world.values:
            continue
        url = route.url({**world.real(route), "network_slug": "region-stuttgart"})
        for client in (world.anonymous, stuttgart_staff):
            checked += 1
            for response in (client.get(url), client.post(url, {"body": "x", "text": "x"})):
                if response.status_code < 300 or response.status_code >= 500:
                    shown.append(_problem("GET/POST", url, response))
    assert checked > 40
    assert not shown, "\n".join(shown)


# --- the findings of the hostile run, one by one ------------------------------------


def test_nul_in_the_query_string_is_a_400_with_a_german_message(world: World) -> None:
    response = world.anonymous.get("/n/feldberg/suche/", {"q": f"Koch{NUL}"})
    assert response.status_code == 400
    assert "unzulässiges Steuerzeichen" in response.content.decode()


def test_the_nul_message_speaks_the_requests_language_not_the_one_left_in_the_thread(
    world: World,
) -> None:
    """The middleware answers before LocaleMiddleware runs: it picks the request's own
    language (cookie, Accept-Language, default) instead of whatever language an earlier
    request left active in the thread (the suite failed on PostgreSQL after English page
    tests ran in the same worker)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate("en")  # what an earlier English request leaves behind
    try:
        german = world.anonymous.get("/n/feldberg/suche/", {"q": f"Koch{NUL}"})
        assert "unzulässiges Steuerzeichen" in german.content.decode()
        english_client = Client()
        english_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        translation.activate("de")
        english = english_client.get("/n/feldberg/suche/", {"q": f"Koch{NUL}"})
        assert "forbidden control character" in english.content.decode()
    finally:
        translation.deactivate()


def test_nul_in_a_path_code_is_a_400(world: World) -> None:
    response = world.anonymous.get("/n/feldberg/termine/sprechstunde/ab%00cd/")
    assert response.status_code == 400


def test_nul_in_a_form_field_is_a_400(world: World) -> None:
    response = world.anonymous.post("/n/feldberg/anliegen/", concern_form_data(text=f"a{NUL}b"))
    assert response.status_code == 400
    assert "unzulässiges Steuerzeichen" in response.content.decode()


def test_nul_in_a_query_string_of_the_api_is_a_json_400(world: World) -> None:
    response = world.anonymous.get("/api/v1/networks/feldberg/offers", {"q": f"a{NUL}"})
    assert response.status_code == 400
    assert "Steuerzeichen" in response.json()["detail"]


def test_a_slot_key_beyond_the_calendar_is_a_404_not_an_overflow(world: World) -> None:
    code = world.values["site:booking:book"]["code"]
    for key in ("99991231T2330Z", "00010101T0000Z"):
        url = f"/n/feldberg/termine/sprechstunde/{code}/buchen/?termin={key}"
        assert world.anonymous.get(url).status_code == 404


def test_a_room_day_beyond_the_calendar_shows_tomorrow(world: World) -> None:
    code = world.values["site:booking:resource"]["code"]
    for day in ("9999-12-31", "0001-01-01"):
        response = world.anonymous.get(f"/n/feldberg/termine/raeume/{code}/?tag={day}")
        assert response.status_code == 200
        assert response.context["day"] == timezone.localdate() + timedelta(days=1)


def test_a_reservation_for_year_9999_is_a_form_error(world: World) -> None:
    code = world.values["site:booking:resource"]["code"]
    data = {**booking_data(consent="on"), "day": "9999-12-31", "start": "23:00", "end": "23:30"}
    data["idempotency_key"] = "far-future"
    response = world.anonymous.post(f"/n/feldberg/termine/raeume/{code}/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["day"] == [
        "Bitte wählen Sie ein Datum zwischen 1900 und 2999."
    ]


def test_the_calendar_with_a_day_beyond_the_calendar_shows_today(world: World) -> None:
    coordinator = world.staff[0]
    for day in ("9999-12-31", "0001-01-01"):
        response = coordinator.get(f"/n/feldberg/termine/kalender/?tag={day}")
        assert response.status_code == 200
        assert response.context["first"] <= timezone.localdate()


def test_a_3_mb_form_body_is_a_400(world: World) -> None:
    response = world.anonymous.post("/n/feldberg/anliegen/", {"text": "x" * 3_000_000})
    assert response.status_code == 400


# --- the back office ------------------------------------------------------------------


def test_view_on_site_with_a_bad_id_for_a_uuid_model_is_a_404(personas: Any) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult

    client = Client()
    client.force_login(personas.operator)
    task_type = ContentType.objects.get_for_model(DBTaskResult)
    for object_id in ("abc", "99999999999999999999", "' OR 1=1 --"):
        response = client.get(f"/admin/r/{task_type.pk}/{quote(object_id)}/")
        assert response.status_code == 404


def test_the_back_office_survives_hostile_ids_and_query_strings(personas: Any) -> None:
    from django.contrib import admin

    client = Client(raise_request_exception=False)
    client.force_login(personas.operator)
    failures = Failures()
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for value in ("abc", "99999999999999999999", "-1", "..", "x" * 300):
            url = f"{base}{quote(value, safe='')}/change/"
            failures.check("GET", url, client.get(url))
        for value in ("99999999999999999999", "9999-12-31", "' OR 1=1 --", "x" * 2000):
            query = {"q": value, "p": value, "o": value, "all": value}
            failures.check("GET", base, client.get(base, query))
    assert not failures, "\n".join(failures)


def test_too_many_logins_are_a_429_page_not_a_500(personas: Any, settings: Any) -> None:
    # Over allauth's "login" limit (30 a minute per address) allauth renders the site's
    # 429.html, without the `minutes` that the page counts with.
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    client = Client(raise_request_exception=False)
    statuses = set()
    for _ in range(32):
        response = client.post(
            "/accounts/login/", {"login": "koordination@feldberg.example", "password": "falsch"}
        )
        statuses.add(response.status_code)
    assert 429 in statuses
    assert max(statuses) < 500
