"""After signing in without a `next`, each role lands on its own work page (journey 3:
the navigator works from the inbox); a safe `next` wins; the second factor still counts."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse

from .test_auth import current_code, password_login

pytestmark = pytest.mark.django_db

INBOX = "/n/feldberg/anliegen/lotsen/"
CALENDAR = "/n/feldberg/termine/kalender/"


@pytest.fixture(autouse=True)
def demo_without_mfa(settings: Any) -> None:
    settings.ANLAUFSTELLE_REQUIRE_MFA = False


@pytest.mark.parametrize(
    ("who", "home"),
    [
        ("navigator", INBOX),
        ("partner_expert", CALENDAR),
        ("coordinator", "/admin/"),
        ("operator", "/admin/"),
    ],
)
def test_each_role_lands_on_its_own_work_page(client: Client, personas: Any, who: str, home: str):
    user = personas.operator if who == "operator" else getattr(personas.feldberg, who)
    response = password_login(client, user)
    assert response.status_code == 302
    assert response["Location"] == home
    assert client.get(home).status_code == 200


def test_the_other_networks_navigator_lands_in_their_own_inbox(client: Client, personas: Any):
    response = password_login(client, personas.stuttgart.navigator)
    assert response["Location"] == "/n/stuttgart/anliegen/lotsen/"


def test_a_safe_next_wins_and_a_foreign_one_is_ignored(client: Client, navigator: Any):
    login = reverse("account_login")
    data = {"login": navigator.email, "password": "Kennwort-fuer-Tests-2024"}
    response = client.post(f"{login}?next={CALENDAR}", data)
    assert response["Location"] == CALENDAR
    client.logout()
    response = client.post(f"{login}?next=https://evil.example/", data)
    assert response["Location"] == INBOX


def test_a_signed_in_navigator_opening_the_login_goes_to_the_inbox(client: Client, navigator: Any):
    client.force_login(navigator)
    response = client.get(reverse("account_login"))
    assert response.status_code == 302
    assert response["Location"] == INBOX


@pytest.fixture
def mfa_required(settings: Any) -> None:
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    settings.MFA_TOTP_TOLERANCE = 1


@pytest.mark.usefixtures("mfa_required")
def test_the_totp_code_comes_before_the_inbox(client: Client, navigator: Any):
    secret = generate_totp_secret()
    TOTP.activate(navigator, secret)
    response = password_login(client, navigator)
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert "_auth_user_id" not in client.session
    assert client.get(INBOX).status_code == 302  # to the login, not into the inbox
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert client.get(INBOX).status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_without_a_second_factor_the_inbox_sends_to_the_totp_setup(client: Client, navigator: Any):
    response = password_login(client, navigator)
    assert response["Location"] == INBOX
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
