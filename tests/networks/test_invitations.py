"""Invitations: coordinators add staff without a password; the person chooses it by link.

The link is allauth's password-reset-from-key URL: it works once, expires after
PASSWORD_RESET_TIMEOUT, and a newer invitation replaces it. One test goes through a real
SMTP server (aiosmtpd); the others read Django's test outbox.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client
from django.urls import reverse

from anlaufstelle.networks.models import Role, User

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:networks_user_add")
CHANGELIST_URL = reverse("admin:networks_user_changelist")
NEW_PASSWORD = "Werkraum-Seenplatte-2025"
LINK = re.compile(r"http://testserver(/accounts/password/reset/key/\S+/)")


@pytest.fixture(autouse=True)
def site(settings: Any) -> None:
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"
    settings.ANLAUFSTELLE_REQUIRE_MFA = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def lena(personas: Any) -> User:
    """The Feldberg coordinator, with a name for the invitation to show."""
    coordinator = personas.feldberg.coordinator
    coordinator.first_name, coordinator.last_name = "Lena", "Koordinatorin"
    coordinator.save()
    return coordinator


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite(client: Client, **data: Any) -> Any:
    form = {
        "email": "sabine@werkraum.example",
        "first_name": "Sabine",
        "last_name": "Lotsin",
        "role": Role.NAVIGATOR,
    }
    form.update(data)
    return client.post(ADD_URL, form, follow=True)


def resend(client: Client, *users: Any) -> Any:
    return client.post(
        CHANGELIST_URL,
        {
            "action": "resend_invitation",
            "index": "0",
            "select_across": "0",
            "_selected_action": [u.pk for u in users],
        },
        follow=True,
    )


def link_in(body: str) -> str:
    return LINK.search(body).group(1)


def set_password(link: str, password: str = NEW_PASSWORD) -> Any:
    """Follow the link as the invited person (a fresh browser) and choose a password."""
    client = Client()
    response = client.get(link)
    if response.status_code != 302:
        return response
    form_url = response["Location"]
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"password1": password, "password2": password})


def can_sign_in(address: str, password: str = NEW_PASSWORD) -> bool:
    client = Client()
    client.post(reverse("account_login"), {"login": address, "password": password})
    return client.get("/admin/").status_code == 200


def page_text(response: Any) -> str:
    return response.content.decode()


def test_an_invited_navigator_gets_one_e_mail_by_smtp_sets_a_password_and_signs_in(
    smtp: Any, lena: Any
) -> None:
    response = invite(signed_in(lena))
    assert response.status_code == 200
    assert "Eine Einladung zum Festlegen des Passworts wurde an sabine@werkraum.example" in (
        page_text(response)
    )
    sabine = User.objects.get(email="sabine@werkraum.example")
    assert sabine.network == lena.network
    assert sabine.role == Role.NAVIGATOR
    assert sabine.is_staff
    assert not sabine.has_usable_password()

    [message] = smtp.messages
    assert message["To"] == "sabine@werkraum.example"
    assert message["Reply-To"] == lena.email
    assert message["Subject"] == "Ihre Einladung zu Werkraum Feldberg"
    body = message.get_body(("plain",)).get_content()
    assert "Guten Tag Sabine Lotsin," in body
    assert "Lena Koordinatorin lädt Sie ein" in body
    assert "Werkraum Feldberg" in body
    assert "als Lotsin / Lotse" in body
    assert re.search(r"einmal und 3\sTage lang", body)  # Django's PASSWORD_RESET_TIMEOUT
    assert "http://testserver/accounts/login/" in body

    assert not can_sign_in(sabine.email)
    response = set_password(link_in(body))
    assert response.status_code == 302
    sabine.refresh_from_db()
    assert sabine.check_password(NEW_PASSWORD)
    assert can_sign_in(sabine.email)


def test_the_link_works_only_once(lena: Any) -> None:
    invite(signed_in(lena))
    link = link_in(mail.outbox[0].body)
    assert set_password(link).status_code == 302

    again = Client().get(link)
    assert again.status_code == 200
    assert 'name="password1"' not in page_text(again)
    # Posting a new password to the used link changes nothing either.
    Client().post(link, {"password1": "Gekapert-2025-xyz", "password2": "Gekapert-2025-xyz"})
    assert User.objects.get(email="sabine@werkraum.example").check_password(NEW_PASSWORD)


def test_the_link_expires_like_a_password_reset(lena: Any, settings: Any) -> None:
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
    invite(signed_in(lena))
    body = mail.outbox[0].body
    assert re.search(r"einmal und 1\sTag lang", body)
    # A timestamp, not an aware datetime: time-machine would switch the local time zone
    # to UTC and Django's token clock (naive local time) would jump back an hour.
    with time_machine.travel(time.time() + timedelta(days=1, minutes=1).total_seconds()):
        response = set_password(link_in(body))
    assert response.status_code == 200
    assert not User.objects.get(email="sabine@werkraum.example").has_usable_password()


def test_in_production_the_new_password_leads_to_the_totp_setup(lena: Any, settings: Any) -> None:
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    TOTP.activate(lena, generate_totp_secret())  # Lena herself has her second factor
    invite(signed_in(lena))
    body = mail.outbox[0].body
    assert "zweiten Faktor" in body
    set_password(link_in(body))
    client = Client()
    client.post(
        reverse("account_login"), {"login": "sabine@werkraum.example", "password": NEW_PASSWORD}
    )
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_the_add_form_asks_for_no_password(lena: Any) -> None:
    page = page_text(signed_in(lena).get(ADD_URL))
    assert 'name="email"' in page
    assert 'name="first_name"' in page
    assert 'name="role"' in page
    assert 'name="provider"' in page
    assert 'name="password1"' not in page
    assert 'name="network"' not in page  # always the coordinator's own
    assert "Kein Passwort nötig" in page


def test_a_coordinator_cannot_invite_into_another_network(personas: Any, lena: Any) -> None:
    other = personas.stuttgart
    invite(
        signed_in(lena),
        network=other.network.pk,
        is_superuser="on",
        password1="Selbst-gewaehlt-2025",
        password2="Selbst-gewaehlt-2025",
    )
    sabine = User.objects.get(email="sabine@werkraum.example")
    assert sabine.network == lena.network
    assert not sabine.is_superuser
    assert not sabine.has_usable_password()
    [message] = mail.outbox
    assert "Werkraum Feldberg" in message.subject
    assert other.network.name not in message.body


def test_a_partner_expert_needs_a_provider_of_the_own_network(personas: Any, lena: Any) -> None:
    client = signed_in(lena)
    response = invite(client, role=Role.PARTNER_EXPERT)
    assert "Wählen Sie die Anlaufstelle, für die diese Fachkraft arbeitet." in page_text(response)
    response = invite(client, role=Role.PARTNER_EXPERT, provider=personas.stuttgart.provider.pk)
    assert response.status_code == 200
    assert not User.objects.filter(email="sabine@werkraum.example").exists()
    assert mail.outbox == []

    invite(client, role=Role.PARTNER_EXPERT, provider=personas.feldberg.provider.pk)
    expert = User.objects.get(email="sabine@werkraum.example")
    assert expert.provider == personas.feldberg.provider
    assert "als Fachkraft eines Partners" in mail.outbox[0].body


def test_a_duplicate_e_mail_keeps_what_was_typed_with_a_german_message(
    personas: Any, lena: Any
) -> None:
    # The other network's navigator, typed in capitals: log-in is by e-mail for everyone.
    taken = personas.stuttgart.navigator.email.upper()
    response = invite(signed_in(lena), email=taken, first_name="Jörg", last_name="Doppelt")
    assert response.status_code == 200
    page = page_text(response)
    assert "Es gibt bereits ein Konto mit dieser E-Mail-Adresse." in page
    assert f'value="{taken}"' in page
    assert 'value="Jörg"' in page
    assert 'value="Doppelt"' in page
    assert f'<option value="{Role.NAVIGATOR}" selected>' in page
    assert User.objects.filter(email__iexact=taken).count() == 1
    assert mail.outbox == []


def test_a_resent_invitation_replaces_the_earlier_link(lena: Any) -> None:
    client = signed_in(lena)
    invite(client)
    first_link = link_in(mail.outbox[0].body)
    sabine = User.objects.get(email="sabine@werkraum.example")

    response = resend(client, sabine)
    assert "1 Einladung wurde gesendet." in page_text(response)
    assert len(mail.outbox) == 2
    second_link = link_in(mail.outbox[1].body)

    assert set_password(first_link).status_code == 200  # the old link no longer works
    assert set_password(second_link).status_code == 302
    assert can_sign_in(sabine.email)


def test_resending_skips_people_who_already_chose_a_password(personas: Any, lena: Any) -> None:
    client = signed_in(lena)
    invite(client)
    sabine = User.objects.get(email="sabine@werkraum.example")
    navigator = personas.feldberg.navigator
    mail.outbox.clear()

    response = resend(client, sabine, navigator)
    page = page_text(response)
    assert "1 Einladung wurde gesendet." in page
    assert "1 Person wurde übersprungen" in page
    assert [m.to for m in mail.outbox] == [[sabine.email]]
    navigator.refresh_from_db()
    assert navigator.check_password(personas.password)


def test_a_coordinator_cannot_resend_for_another_networks_staff_or_operators(
    personas: Any, lena: Any
) -> None:
    stranger = User.objects.create_user(
        "neu@stuttgart.example", None, network=personas.stuttgart.network, role=Role.NAVIGATOR
    )
    operator = personas.operator
    operator.set_unusable_password()
    operator.save()
    stranger_password = stranger.password

    response = resend(signed_in(lena), stranger, operator)
    assert "0 Einladungen wurden gesendet." in page_text(response)
    assert mail.outbox == []
    stranger.refresh_from_db()
    assert stranger.password == stranger_password


@pytest.mark.parametrize("role", ("navigator", "partner_expert"))
def test_only_coordinators_can_resend(personas: Any, role: str) -> None:
    invite(signed_in(personas.feldberg.coordinator))
    sabine = User.objects.get(email="sabine@werkraum.example")
    mail.outbox.clear()
    response = resend(signed_in(getattr(personas.feldberg, role)), sabine)
    assert response.status_code == 403
    assert mail.outbox == []


def test_an_operator_invites_a_coordinator_to_a_network(personas: Any) -> None:
    client = signed_in(personas.operator)
    page = page_text(client.get(ADD_URL))
    assert 'name="network"' in page
    assert 'name="password1"' not in page

    response = invite(client, email="lena@seenplatte.example", role=Role.COORDINATOR)
    assert "Eine Rolle gilt nur in einem Netzwerk." in page_text(response)
    invite(
        client,
        email="lena@seenplatte.example",
        role=Role.COORDINATOR,
        network=personas.stuttgart.network.pk,
    )
    lena = User.objects.get(email="lena@seenplatte.example")
    assert lena.network == personas.stuttgart.network
    assert lena.is_staff and not lena.is_superuser
    [message] = mail.outbox
    assert message.subject == "Ihre Einladung zu Fachkräfteallianz Region Stuttgart"
    assert "als Netzwerk-Koordination" in message.body


def test_an_unreachable_mail_server_keeps_the_account_for_a_later_resend(
    lena: Any, settings: Any, closed_port: int
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port  # nothing listens there
    settings.EMAIL_TIMEOUT = 2
    response = invite(signed_in(lena))
    assert response.status_code == 200
    assert "die Einladung konnte aber nicht gesendet werden" in page_text(response)
    assert User.objects.filter(email="sabine@werkraum.example").exists()
