"""A private calendar feed dies with its user's access: deactivation or a new password."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.booking.models import FeedToken
from anlaufstelle.networks.models import User

pytestmark = pytest.mark.django_db

CALENDAR = "/n/feldberg/termine/kalender/"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def new_feed(client: Client, user: Any) -> str:
    """The feed URL the user creates on the calendar page."""
    client.force_login(user)
    assert client.post(CALENDAR + "abo/").status_code == 302
    with scopes_disabled():
        token = FeedToken.objects.get(user=user, revoked_at__isnull=True).token
    client.logout()
    return f"/n/feldberg/termine/abo/{token}.ics"


def test_the_feed_works_while_its_user_keeps_access(client: Client, partner_expert: Any) -> None:
    feed = new_feed(client, partner_expert)
    response = client.get(feed)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    # Personal data: no proxy on the way keeps a copy.
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_feed_stops_when_the_user_is_deactivated(client: Client, partner_expert: Any) -> None:
    feed = new_feed(client, partner_expert)
    partner_expert.is_active = False
    partner_expert.save(update_fields=["is_active"])
    assert client.get(feed).status_code == 404
    # Active again: the same feed works again (nothing about it was secret-changed).
    partner_expert.is_active = True
    partner_expert.save(update_fields=["is_active"])
    assert client.get(feed).status_code == 200


def test_the_feed_stops_when_the_user_changes_the_password(
    client: Client, partner_expert: Any
) -> None:
    feed = new_feed(client, partner_expert)
    partner_expert.set_password("Ein-neues-Kennwort-2026")
    partner_expert.save()
    assert client.get(feed).status_code == 404
    # A feed made after the change works.
    assert client.get(new_feed(client, partner_expert)).status_code == 200


def test_the_feed_stops_when_an_operator_sets_the_password_directly(
    client: Client, partner_expert: Any
) -> None:
    feed = new_feed(client, partner_expert)
    User.objects.filter(pk=partner_expert.pk).update(password=make_password("Anders-2026-xyz"))
    assert client.get(feed).status_code == 404


def test_the_feed_stops_when_the_password_is_made_unusable(
    client: Client, partner_expert: Any
) -> None:
    feed = new_feed(client, partner_expert)
    partner_expert.set_unusable_password()
    partner_expert.save()
    assert client.get(feed).status_code == 404


def test_a_feed_without_a_recorded_password_fingerprint_serves_nothing(
    client: Client, partner_expert: Any
) -> None:
    feed = new_feed(client, partner_expert)
    with scopes_disabled():
        FeedToken.objects.filter(user=partner_expert).update(password_fingerprint="")
    assert client.get(feed).status_code == 404


def test_a_feed_made_without_the_second_factor_serves_nothing_where_it_is_required(
    client: Client, settings: Any, partner_expert: Any
) -> None:
    """Feeds created through the former bypass (password only, no TOTP) leak nothing."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.ANLAUFSTELLE_REQUIRE_MFA = False
    feed = new_feed(client, partner_expert)
    assert client.get(feed).status_code == 200
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    assert client.get(feed).status_code == 404
    # Once the expert has set up TOTP, the feed works again.
    TOTP.activate(partner_expert, generate_totp_secret())
    assert client.get(feed).status_code == 200


def test_the_feed_stops_when_the_user_moves_to_another_network(
    client: Client, personas: Any, partner_expert: Any
) -> None:
    feed = new_feed(client, partner_expert)
    partner_expert.network = personas.stuttgart.network
    partner_expert.save(update_fields=["network"])
    assert client.get(feed).status_code == 404
