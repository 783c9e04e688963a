"""The staff sign-in pages (allauth) use the site's KERN layout and formal German ("Sie").

Covers sign-in, password reset (request, sent, e-mail, invalid link), the invitation link,
re-authentication, the second-factor setup, overview and code prompt, sign-out and the
closed sign-up: each page in the site's layout, with no informal German and no
"Registrieren" / sign-up link while sign-up is closed.
"""

from __future__ import annotations

import re
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client
from django.urls import reverse

from anlaufstelle.networks.invitations import invitation_url
from anlaufstelle.networks.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "Kennwort-fuer-Tests-2024"  # the persona fixtures' password
INFORMAL = re.compile(r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines)\b", re.IGNORECASE)
# Imperatives of the informal address that allauth's German catalogue uses.
INFORMAL_VERBS = re.compile(
    r"\b(kontaktiere|versuche|gib|bestätige|wähle|lass|klick|überprüfe|hast|bist|kannst|musst)\b"
)


@pytest.fixture(autouse=True)
def german_production_rules(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def german_client() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="de")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def assert_site_page(response: Any, *, heading: str) -> str:
    """The page is in the site's KERN layout, formal German, without a sign-up link."""
    assert response.status_code == 200, response.request["PATH_INFO"]
    html = response.content.decode()
    assert "kern.min.css" in html
    assert 'class="site-header' in html and 'class="site-footer' in html
    assert re.search(r'<h1 class="kern-heading-x-large">\s*' + re.escape(heading), html)
    text = visible_text(html)
    assert INFORMAL.findall(text) == []
    assert INFORMAL_VERBS.findall(text) == []
    assert "Registrieren" not in text and "registrieren" not in text
    assert f'href="{reverse("account_signup")}' not in html
    return html


def test_the_login_page_uses_the_site_layout_and_has_no_sign_up() -> None:
    response = german_client().get(reverse("account_login"))
    html = assert_site_page(response, heading="Anmeldung für Mitarbeitende")
    assert "Du hast noch kein Konto" not in html
    assert 'class="kern-btn kern-btn--primary"' in html
    assert 'class="kern-form-input__input"' in html
    # The way back in without a password stays.
    assert reverse("account_reset_password") in html


def test_a_failed_login_answers_formally_in_the_layout(coordinator: Any) -> None:
    client = german_client()
    response = client.post(reverse("account_login"), {"login": coordinator.email, "password": "x"})
    html = assert_site_page(response, heading="Anmeldung für Mitarbeitende")
    assert 'class="kern-alert kern-alert--danger"' in html


def test_the_lock_message_is_formal(coordinator: Any) -> None:
    from django.core.cache import cache

    cache.clear()
    client = german_client()
    for _attempt in range(6):
        response = client.post(
            reverse("account_login"), {"login": coordinator.email, "password": "x"}
        )
    html = assert_site_page(response, heading="Anmeldung für Mitarbeitende")
    assert "Bitte versuchen Sie es in einigen Minuten erneut" in html
    cache.clear()


def test_the_password_reset_pages_and_mail_are_formal(coordinator: Any) -> None:
    client = german_client()
    assert_site_page(client.get(reverse("account_reset_password")), heading="Passwort zurücksetzen")
    response = client.post(
        reverse("account_reset_password"), {"email": coordinator.email}, follow=True
    )
    assert_site_page(response, heading="Passwort zurücksetzen")
    (message,) = mail.outbox
    assert INFORMAL.findall(message.body) == []
    assert "Sie erhalten diese E-Mail" in message.body
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body)
    assert link
    response = client.get(urlsplit(link.group(0)).path, follow=True)
    assert_site_page(response, heading="Passwort festlegen")


def test_an_invalid_reset_link_is_explained_formally() -> None:
    response = german_client().get("/accounts/password/reset/key/1-falsch/", follow=True)
    html = assert_site_page(response, heading="Dieser Link funktioniert nicht mehr")
    assert "fordern Sie einen neuen Link an" in html


def test_the_invitation_link_opens_the_set_password_page(personas: Any) -> None:
    invited = User.objects.create_user(
        "neu@feldberg.example",
        None,
        network=personas.feldberg.network,
        role=Role.NAVIGATOR,
        is_staff=True,
    )
    client = german_client()
    response = client.get(urlsplit(invitation_url(invited)).path, follow=True)
    html = assert_site_page(response, heading="Passwort festlegen")
    assert 'name="password1"' in html
    new_password = "Ein-eigenes-Kennwort-2026"
    response = client.post(
        response.request["PATH_INFO"],
        {"password1": new_password, "password2": new_password},
        follow=True,
    )
    html = assert_site_page(response, heading="Ihr Passwort ist gespeichert.")
    assert f'href="{reverse("account_login")}"' in html
    invited.refresh_from_db()
    assert invited.check_password(new_password)


def test_the_second_factor_pages_are_formal_and_in_the_layout(coordinator: Any) -> None:
    client = german_client()
    client.post(reverse("account_login"), {"login": coordinator.email, "password": PASSWORD})
    # Setting up TOTP asks for the password once more.
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    assert_site_page(response, heading="Zugriff bestätigen")
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    html = assert_site_page(
        client.get(reverse("mfa_activate_totp")), heading="Authenticator-App aktivieren"
    )
    assert 'class="account-qr"' in html
    assert_site_page(client.get(reverse("mfa_index")), heading="Zwei-Faktor-Authentifizierung")
    assert_site_page(client.get(reverse("account_logout")), heading="Abmelden")


def test_the_recovery_code_pages_are_formal_and_in_the_layout(coordinator: Any) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    TOTP.activate(coordinator, generate_totp_secret())
    RecoveryCodes.activate(coordinator)
    client = german_client()
    client.force_login(coordinator)
    client.get(reverse("mfa_view_recovery_codes"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    html = assert_site_page(
        client.get(reverse("mfa_view_recovery_codes")), heading="Wiederherstellungs-Codes"
    )
    assert 'id="recovery_codes"' in html
    assert_site_page(
        client.get(reverse("mfa_generate_recovery_codes")), heading="Wiederherstellungs-Codes"
    )
    assert_site_page(
        client.get(reverse("mfa_deactivate_totp")), heading="Authenticator-App deaktivieren"
    )


def test_the_code_prompt_at_login_is_formal_and_in_the_layout(coordinator: Any) -> None:
    TOTP.activate(coordinator, generate_totp_secret())
    client = german_client()
    response = client.post(
        reverse("account_login"), {"login": coordinator.email, "password": PASSWORD}, follow=True
    )
    assert_site_page(response, heading="Zwei-Faktor-Authentifizierung")


def test_sign_up_is_closed_and_says_so_formally() -> None:
    response = german_client().get(reverse("account_signup"))
    assert_site_page(response, heading="Registrierung geschlossen")


def test_signing_out_ends_on_the_sign_in_page_with_a_formal_note(coordinator: Any) -> None:
    client = german_client()
    client.force_login(coordinator)
    response = client.post(reverse("account_logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_login")
    html = assert_site_page(response, heading="Anmeldung für Mitarbeitende")
    assert 'class="kern-alert kern-alert--success"' in html
    assert "Sie haben sich abgemeldet." in html
