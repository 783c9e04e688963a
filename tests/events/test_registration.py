"""Registration: places, waiting list, move-up with e-mail, refusals that store nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar

from anlaufstelle.events import services
from anlaufstelle.events.models import Event, Registration, RegistrationStatus
from anlaufstelle.events.tasks import send_due_reminders

from .conftest import make_event, person

pytestmark = pytest.mark.django_db


def registrations(event) -> list[tuple[str, str]]:
    with scopes_disabled():
        return list(
            Registration.objects.filter(event=event).order_by("pk").values_list("name", "status")
        )


def confirmed_count(event) -> int:
    with scopes_disabled():
        return Event.objects.get(pk=event.pk).confirmed_count


def test_registration_confirms_until_full_then_puts_people_on_the_waiting_list(event):
    statuses = [services.register(event=event, **person(i)).status for i in range(4)]
    assert statuses == ["confirmed", "confirmed", "waiting", "waiting"]
    assert confirmed_count(event) == 2


def test_a_cancellation_moves_the_first_waiting_person_up_and_emails_them(
    smtp, event, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.register(event=event, **person(1))
        services.register(event=event, **person(2))
        services.register(event=event, **person(3))
        services.register(event=event, **person(4))
    [waiting_mail] = smtp.to("anja3@hotel-am-see.example")
    assert "Warteliste" in waiting_mail["Subject"]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(registration=first)
    assert registrations(event) == [
        ("Anja Muster 1", "cancelled"),
        ("Anja Muster 2", "confirmed"),
        ("Anja Muster 3", "confirmed"),
        ("Anja Muster 4", "waiting"),
    ]
    assert confirmed_count(event) == 2
    moved_up = smtp.to("anja3@hotel-am-see.example")[-1]
    assert "Ein Platz ist frei" in moved_up["Subject"]
    body = moved_up.get_body(("plain",)).get_content()
    assert "bestätigt" in body
    [attachment] = [
        p for p in moved_up.iter_attachments() if p.get_content_type() == "text/calendar"
    ]
    assert Calendar.from_ical(attachment.get_content()).walk("VEVENT")


def test_a_cancellation_without_anyone_waiting_frees_the_place(event):
    first = services.register(event=event, **person(1))
    services.cancel_registration(registration=first)
    assert confirmed_count(event) == 0
    with pytest.raises(services.RegistrationError):
        services.cancel_registration(registration=first)  # only once


def test_the_confirmation_arrives_with_an_ics_that_parses_and_a_working_cancel_link(
    smtp, event, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = services.register(event=event, **person(1))
    [mail] = smtp.to(registration.email)
    assert "Ihre Anmeldung" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    assert registration.code in body and "Werkraum Feldberg" in body
    [attachment] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    vevent = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert vevent.decoded("dtstart") == event.starts_at
    assert str(vevent["summary"]) == "Sprechtag Ausbildung"
    assert "Werkraum Feldberg" in str(vevent["location"])

    cancel = re.search(r"http://testserver(\S+/abmelden/)", body).group(1)
    assert client.get(cancel).status_code == 200
    assert client.post(cancel).status_code == 200
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert client.post(cancel).status_code == 404  # the link works once
    assert client.get(cancel.replace(registration.code, "XXXXXXXXXX")).status_code == 404


def test_an_online_event_gets_its_link_from_the_video_pattern_and_the_reminder_carries_it(
    smtp, feldberg, settings, django_capture_on_commit_callbacks
):
    settings.ANLAUFSTELLE_VIDEO_URL_PATTERN = "https://meet.example.org/{room}"
    tomorrow = timezone.now() + timedelta(days=1)
    event = make_event(feldberg.network, format="online", starts_at=tomorrow, place="")
    assert event.online_url.startswith("https://meet.example.org/Anlaufstelle")
    registration = services.register(event=event, **person(1))
    assert send_due_reminders() == 1
    assert send_due_reminders() == 0  # once
    [reminder] = [m for m in smtp.to(registration.email) if "morgen" in m["Subject"]]
    assert event.online_url in reminder.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_at": timezone.now() - timedelta(hours=1)}, "bereits stattgefunden"),
        ({"registration_open": False}, "geschlossen"),
        ({"status": "draft"}, "keine Anmeldung möglich"),
    ],
)
def test_a_past_closed_or_draft_event_refuses_in_german_and_stores_nothing(
    feldberg, change, message
):
    event = make_event(feldberg.network, **change)
    with pytest.raises(services.RegistrationError) as refused:
        services.register(event=event, **person(1))
    assert message in refused.value.message
    assert registrations(event) == []


def test_a_full_event_without_waiting_list_refuses(feldberg):
    event = make_event(feldberg.network, capacity=1, waiting_list=False)
    services.register(event=event, **person(1))
    with pytest.raises(services.RegistrationError) as refused:
        services.register(event=event, **person(2))
    assert refused.value.message == "Diese Veranstaltung ist ausgebucht."
    assert len(registrations(event)) == 1


def test_an_answer_over_its_length_refuses_and_stores_nothing(feldberg):
    event = make_event(feldberg.network, questions="Was möchten Sie pitchen?")
    with pytest.raises(services.RegistrationError) as refused:
        services.register(event=event, answers={"Was möchten Sie pitchen?": "x" * 501}, **person(1))
    assert "höchstens 500 Zeichen" in refused.value.message
    assert registrations(event) == []
    assert confirmed_count(event) == 0


def test_the_same_idempotency_key_returns_the_first_registration(event):
    first = services.register(event=event, idempotency_key="k1", **person(1))
    again = services.register(event=event, idempotency_key="k1", **person(1))
    assert again.pk == first.pk
    assert confirmed_count(event) == 1
    with pytest.raises(services.RegistrationError):
        services.register(event=event, idempotency_key="k1", **person(2))


def test_registration_needs_consent(event):
    with pytest.raises(services.RegistrationError):
        services.register(event=event, **person(1, consent=False))
    assert registrations(event) == []


def test_the_links_of_a_cancelled_registration_say_so_instead_of_not_found(event, client):
    # A cancel kills the registration's links (404, nothing can be done with them), but the
    # person who opens the e-mail again learns what happened, not "address misspelt?".
    from anlaufstelle.events import tokens

    with scopes_disabled():
        registration = services.register(event=event, **person(1))
    base = f"/n/feldberg/veranstaltungen/anmeldung/{registration.code}"
    view = f"{base}/{tokens.make_token(registration, 'view')}/"
    cancel = f"{base}/{tokens.make_token(registration, 'cancel')}/abmelden/"
    assert client.post(cancel).status_code == 200
    for response in (client.get(view), client.get(cancel), client.post(cancel)):
        page = response.content.decode()
        assert response.status_code == 404
        assert "Diese Anmeldung wurde storniert" in page and "Sprechtag Ausbildung" in page
        # No fresh link is handed out: the only tokens on the page are the old ones.
        tokens_on_page = set(re.findall(rf"/anmeldung/{registration.code}/([^/\"]+)/", page))
        assert tokens_on_page <= {view.split("/")[-2], cancel.split("/")[-3]}
    # A forged token, or one of another purpose, is the plain "not found".
    for url in (f"{base}/x/", f"{base}/{tokens.make_token(registration, 'view')}x/abmelden/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Diese Anmeldung wurde storniert" not in response.content.decode()
