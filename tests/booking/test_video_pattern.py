"""The video link pattern is operator input that becomes a link on a public page (issue 9.4).

Attacks: a `javascript:` pattern (stored XSS on the confirmation page), `{0}` (every video
booking a 500), `{room.__class__...}` (str.format evaluating attributes). Only an https://
address with exactly one `{room}` is accepted: on save (model, admin form), at start-up
(system check) and, for rows stored before, whenever a link is made or shown.
"""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from anlaufstelle.booking import queries, tokens, video
from anlaufstelle.booking.models import BookingSettings, Format

from .conftest import make_schedule
from .test_services import book

ATTACKS = [
    "javascript:alert(document.domain)//{room}",
    "JavaScript:alert(1)//{room}",
    "data:text/html,<script>alert(1)</script>{room}",
    "http://meet.example.org/{room}",
    "https://meet.example.org/{0}",
    "https://meet.example.org/{room.__class__.__mro__}",
    "https://meet.example.org/{room}/{room}",
    "https://meet.example.org/{room}{}",
    "https://meet.example.org/",
    "https://{room}.example.org/",
    "https://meet.example.org/ {room}",
    "https://meet.example.org/\n{room}",
    "https:///{room}",
    "//meet.example.org/{room}",
    'https://meet.example.org/{room}"onmouseover="alert(1)',
    "https://meet.example.org/<script>{room}",
]


@pytest.mark.parametrize("pattern", ATTACKS)
def test_an_unsafe_pattern_is_refused_with_a_german_message(pattern):
    with pytest.raises(ValidationError) as refused:
        video.validate_url_pattern(pattern)
    assert "Videolink" in str(refused.value) or "Platzhalter" in str(refused.value)


@pytest.mark.parametrize(
    "pattern",
    ["", "https://meet.jit.si/{room}", "https://video.example.org/r/{room}?lang=de"],
)
def test_a_safe_pattern_is_accepted(pattern):
    video.validate_url_pattern(pattern)


@pytest.mark.parametrize("pattern", ATTACKS)
def test_an_unsafe_pattern_cannot_be_saved(feldberg, pattern):
    with pytest.raises(ValidationError), scopes_disabled():
        BookingSettings.objects.create(network=feldberg.network, video_url_pattern=pattern)
    with scopes_disabled():
        assert not BookingSettings.objects.exists()


@pytest.mark.parametrize(
    "pattern", ["javascript:alert(1)//{room}", "https://x.example/{0}", "https://x.example/"]
)
def test_the_coordinator_gets_a_form_error_in_the_back_office(feldberg, pattern):
    client = Client()
    client.force_login(feldberg.coordinator)
    response = client.post(
        reverse("admin:booking_bookingsettings_add"),
        {"video_url_pattern": pattern, "retention_days": 90},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "errorlist" in page
    assert "Das Muster für Videolinks" in page
    with scopes_disabled():
        assert not BookingSettings.objects.exists()


def test_the_coordinator_saves_a_safe_pattern(feldberg):
    client = Client()
    client.force_login(feldberg.coordinator)
    response = client.post(
        reverse("admin:booking_bookingsettings_add"),
        {"video_url_pattern": "https://video.example.org/{room}", "retention_days": 30},
    )
    assert response.status_code == 302
    with scopes_disabled():
        row = BookingSettings.objects.get()
    assert (row.network, row.retention_days) == (feldberg.network, 30)


def store_unchecked(network, pattern):
    """A row written before validation existed (or by a raw UPDATE)."""
    with scopes_disabled():
        row = BookingSettings.objects.create(network=network)
        BookingSettings.objects.filter(pk=row.pk).update(video_url_pattern=pattern)


def confirmation_page(booking) -> str:
    url = reverse(
        "site:booking:view",
        kwargs={
            "network_slug": booking.network.slug,
            "code": booking.code,
            "token": tokens.make_token(booking, "view"),
        },
    )
    response = Client().get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "pattern",
    [
        "javascript:alert(document.domain)//{room}",
        "https://meet.example.org/{0}",
        "https://meet.example.org/{room.__class__.__mro__}",
    ],
)
def test_a_stored_unsafe_pattern_books_without_a_link_and_without_a_500(
    feldberg, in_feldberg, pattern
):
    store_unchecked(feldberg.network, pattern)
    online = make_schedule(feldberg.network, feldberg.provider, fmt=Format.VIDEO)
    booking = book(online, queries.free_slots([online], limit=1)[0].starts_at)
    assert booking.video_url == ""
    page = confirmation_page(booking)
    assert "javascript:" not in page
    assert "class '" not in page and "__mro__" not in page
    assert "Den Video-Link erhalten Sie gesondert." in page


def test_a_stored_script_link_is_never_rendered_as_a_link(feldberg, in_feldberg):
    online = make_schedule(feldberg.network, feldberg.provider, fmt=Format.VIDEO)
    booking = book(online, queries.free_slots([online], limit=1)[0].starts_at)
    type(booking).objects.filter(pk=booking.pk).update(
        video_url="javascript:alert(document.cookie)"
    )
    booking.refresh_from_db()
    assert booking.video_link == ""
    page = confirmation_page(booking)
    assert "javascript:" not in page


def test_the_room_is_substituted_literally(feldberg, in_feldberg):
    with scopes_disabled():
        BookingSettings.objects.create(
            network=feldberg.network, video_url_pattern="https://video.example.org/r/{room}?x=1"
        )
    online = make_schedule(feldberg.network, feldberg.provider, fmt=Format.VIDEO)
    booking = book(online, queries.free_slots([online], limit=1)[0].starts_at)
    assert booking.video_url.startswith("https://video.example.org/r/Anlaufstelle")
    assert booking.video_url.endswith("?x=1")
    assert booking.video_link == booking.video_url
    assert f'href="{booking.video_url}"' in confirmation_page(booking).replace("&amp;", "&")


@pytest.mark.parametrize(
    "pattern", ["javascript:alert(1)//{room}", "https://meet.example.org/{0}", "http://x/{room}"]
)
def test_an_unsafe_server_setting_fails_the_system_check(settings, pattern):
    settings.ANLAUFSTELLE_VIDEO_URL_PATTERN = pattern
    errors = [e for e in run_checks() if e.id == "booking.E001"]
    assert len(errors) == 1


def test_the_default_server_setting_passes_the_system_check(settings):
    settings.ANLAUFSTELLE_VIDEO_URL_PATTERN = "https://meet.jit.si/{room}"
    assert [e for e in run_checks() if e.id == "booking.E001"] == []


def test_an_unsafe_server_setting_gives_no_link_at_run_time(feldberg, in_feldberg, settings):
    settings.ANLAUFSTELLE_VIDEO_URL_PATTERN = "https://meet.example.org/{0}"
    online = make_schedule(feldberg.network, feldberg.provider, fmt=Format.VIDEO)
    booking = book(online, queries.free_slots([online], limit=1)[0].starts_at)
    assert booking.video_url == ""
