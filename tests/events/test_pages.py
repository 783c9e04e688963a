"""Public pages (list, detail with JSON-LD, register form, feed) and the organisers' pages."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar

from anlaufstelle.directory.models import Provider, Topic
from anlaufstelle.events import services
from anlaufstelle.events.models import Registration, RegistrationStatus

from .conftest import make_event, person

pytestmark = pytest.mark.django_db

BASE = "/n/feldberg/veranstaltungen/"


def form(i: int = 1, **extra) -> dict:
    return {
        "name": f"Anja Muster {i}",
        "company": "Hotel am See",
        "email": f"anja{i}@hotel-am-see.example",
        "consent": "on",
        "idempotency_key": f"key-{i}",
        **extra,
    }


def test_the_list_shows_upcoming_published_events_and_filters_by_format(client, feldberg):
    make_event(feldberg.network, slug="vor-ort", title="Vor-Ort-Treffen")
    make_event(feldberg.network, slug="webinar", title="Webinar Azubis", format="online")
    make_event(feldberg.network, slug="entwurf", title="Geheimer Entwurf", status="draft")
    make_event(
        feldberg.network, slug="vorbei", title="Schon vorbei",
        starts_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    page = client.get(BASE).content.decode()
    assert "Vor-Ort-Treffen" in page and "Webinar Azubis" in page
    assert "Geheimer Entwurf" not in page and "Schon vorbei" not in page
    online = client.get(BASE, {"format": "online"}).content.decode()
    assert "Webinar Azubis" in online and "Vor-Ort-Treffen" not in online


def test_the_list_filters_by_topic_and_provider(client, feldberg, event):
    with scopes_disabled():
        topic = Topic.objects.get_or_create(slug="ausbildung", defaults={"label_de": "Ausbildung"})[
            0
        ]
        event.topics.add(topic)
    other = make_event(feldberg.network, slug="anderes", title="Anderes Thema")
    assert "Anderes Thema" not in client.get(BASE, {"thema": "ausbildung"}).content.decode()
    page = client.get(BASE, {"anbieter": feldberg.provider.slug}).content.decode()
    assert "Sprechtag Ausbildung" in page and other.title not in page


def test_the_detail_page_carries_schema_org_event_json_ld(client, feldberg, event):
    with scopes_disabled():
        Provider.objects.filter(pk=feldberg.provider.pk).update(name="Werkraum </script><b>")
    response = client.get(f"{BASE}{event.slug}/")
    assert response.status_code == 200
    page = response.content.decode()
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(block)
    assert data["@type"] == "Event"
    assert data["name"] == "Sprechtag Ausbildung"
    assert data["startDate"] == event.starts_at.isoformat()
    assert data["location"]["@type"] == "Place"
    assert data["organizer"]["name"] == "Werkraum </script><b>"  # escaped, not closing the tag
    assert data["remainingAttendeeCapacity"] == 2


def test_an_unpublished_or_other_networks_event_is_404(client, feldberg, personas):
    draft = make_event(feldberg.network, slug="entwurf", status="draft")
    assert client.get(f"{BASE}{draft.slug}/").status_code == 404
    other = make_event(personas.stuttgart.network, slug="stuttgart-only")
    assert client.get(f"{BASE}{other.slug}/").status_code == 404


def test_register_through_the_form_then_the_confirmation_page(client, event):
    response = client.post(f"{BASE}{event.slug}/anmelden/", form(1))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Ihre Anmeldung ist bestätigt." in page
    with scopes_disabled():
        assert Registration.objects.get().status == RegistrationStatus.CONFIRMED


def test_an_invalid_form_keeps_the_input_and_explains_in_german(client, event):
    response = client.post(f"{BASE}{event.slug}/anmelden/", form(1, consent="", email="kaputt"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Anja Muster 1"' in page and 'value="Hotel am See"' in page
    assert "Bitte stimmen Sie der Verarbeitung Ihrer Daten zu." in page
    with scopes_disabled():
        assert not Registration.objects.exists()


def test_an_overlong_answer_is_a_german_form_error(client, feldberg):
    event = make_event(feldberg.network, questions="Was möchten Sie pitchen?")
    response = client.post(f"{BASE}{event.slug}/anmelden/", form(1, frage_0="x" * 501))
    assert response.status_code == 400
    assert "höchstens 500 Zeichen" in response.content.decode()


def test_a_closed_event_refuses_the_post_with_a_409(client, feldberg):
    event = make_event(feldberg.network, registration_open=False)
    response = client.post(f"{BASE}{event.slug}/anmelden/", form(1))
    assert response.status_code == 409
    assert "geschlossen" in response.content.decode()


def test_the_feed_lists_the_networks_public_events_without_online_links(client, feldberg):
    make_event(feldberg.network, slug="webinar", title="Webinar Azubis", format="online")
    make_event(feldberg.network, slug="entwurf", title="Entwurf", status="draft")
    response = client.get(f"{BASE}kalender.ics")
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Webinar Azubis"]
    assert "meet" not in response.content.decode()


# -- organisers ---------------------------------------------------------------------


def staff_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def registered(event):
    services.register(event=event, **person(1, company='=HYPERLINK("x")'))
    services.register(event=event, **person(2))
    services.register(event=event, **person(3))
    return event


def test_a_navigator_sees_registrations_and_exports_csv(feldberg, registered):
    client = staff_client(feldberg.navigator)
    page = client.get(f"{BASE}verwaltung/{registered.slug}/").content.decode()
    assert "Anja Muster 3" in page and "Warteliste" in page
    response = client.get(f"{BASE}verwaltung/{registered.slug}/anmeldungen.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Code", "Status", "Rolle", "Name", "Firma", "E-Mail"]
    assert [r[3] for r in rows[1:]] == ["Anja Muster 1", "Anja Muster 2", "Anja Muster 3"]
    assert rows[1][4] == '\'=HYPERLINK("x")'  # no formula in a spreadsheet
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_check_in_list_shows_only_confirmed_people(feldberg, registered):
    page = staff_client(feldberg.coordinator).get(f"{BASE}verwaltung/{registered.slug}/einlass/")
    text = page.content.decode()
    assert "Anja Muster 1" in text and "Anja Muster 2" in text and "Anja Muster 3" not in text


def test_closing_registration_stops_new_ones(feldberg, registered, client):
    response = staff_client(feldberg.navigator).post(
        f"{BASE}verwaltung/{registered.slug}/schliessen/"
    )
    assert response.status_code == 302
    assert client.post(f"{BASE}{registered.slug}/anmelden/", form(9)).status_code == 409


def test_a_message_reaches_every_registrant(
    smtp, feldberg, registered, django_capture_on_commit_callbacks
):
    response = staff_client(feldberg.navigator).post(
        f"{BASE}verwaltung/{registered.slug}/nachricht/",
        {"subject": "Raumänderung", "body": "Wir treffen uns im Saal & Foyer."},
    )
    assert response.status_code == 302
    mails = [m for i in (1, 2, 3) for m in smtp.to(f"anja{i}@hotel-am-see.example")]
    assert len(mails) == 3
    assert all("Raumänderung" in m["Subject"] for m in mails)
    assert "Saal & Foyer" in mails[0].get_body(("plain",)).get_content()


def test_a_partner_expert_manages_only_their_providers_events(feldberg, registered):
    other = make_event(feldberg.network, slug="fremd", title="Fremde Veranstaltung")
    client = staff_client(feldberg.partner_expert)
    with scopes_disabled():
        own_provider = feldberg.partner_expert.provider_id == registered.provider_id
    assert own_provider
    assert client.get(f"{BASE}verwaltung/{registered.slug}/").status_code == 200
    assert client.get(f"{BASE}verwaltung/{other.slug}/").status_code == 404
    assert client.get(f"{BASE}verwaltung/{other.slug}/anmeldungen.csv").status_code == 404
    assert "Fremde Veranstaltung" not in client.get(f"{BASE}verwaltung/").content.decode()


def test_staff_of_another_network_get_404_and_visitors_the_login(client, personas, registered):
    outsider = staff_client(personas.stuttgart.coordinator)
    for path in ("", f"{registered.slug}/", f"{registered.slug}/anmeldungen.csv"):
        assert outsider.get(f"{BASE}verwaltung/{path}").status_code == 404
        assert client.get(f"{BASE}verwaltung/{path}").status_code == 302


def test_registration_posts_are_rate_limited(client, event, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {"event_registration": "2/m"}
    # Fixed windows: the clock stands still so the three posts never straddle a minute.
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            client.post(f"{BASE}{event.slug}/anmelden/", form(i)).status_code for i in range(3)
        ]
    assert statuses == [302, 302, 429]
    assert client.get(f"{BASE}{event.slug}/anmelden/").status_code == 200  # the form stays


def test_the_month_view_shows_that_months_events_and_links_its_neighbours(client, feldberg):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    make_event(feldberg.network, slug="jan", title="Januar-Treffen",
               starts_at=datetime(2027, 1, 14, 10, tzinfo=berlin))  # fmt: skip
    make_event(feldberg.network, slug="feb", title="Februar-Treffen",
               starts_at=datetime(2027, 2, 1, 0, 30, tzinfo=berlin))  # fmt: skip
    page = client.get(BASE, {"monat": "2027-01"}).content.decode()
    assert "Januar-Treffen" in page and "Februar-Treffen" not in page
    assert "?monat=2026-12" in page and "?monat=2027-02" in page
    assert client.get(BASE, {"monat": "2027-13"}).status_code == 200  # ignored, not a 500


def test_an_event_may_not_take_a_reserved_address(feldberg):
    from django.core.exceptions import ValidationError

    from anlaufstelle.events.models import Event

    with pytest.raises(ValidationError):
        Event(network=feldberg.network, slug="verwaltung", title="x").full_clean()
