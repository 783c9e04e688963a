"""Staff log in through allauth with a TOTP second factor; the admin login is never used."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

PASSWORD = "Kennwort-fuer-Tests-2024"  # the persona fixtures' password
ADMIN = "/admin/"


def current_code(secret: str) -> str:
    """The code an authenticator app shows right now (allauth's own algorithm)."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def password_login(client: Client, user: Any, password: str = PASSWORD) -> Any:
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


@pytest.fixture
def mfa_required(settings: Any) -> None:
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    # Accept the neighbouring 30-second windows too, so a test that crosses a window
    # boundary between computing a code and posting it does not fail by chance.
    settings.MFA_TOTP_TOLERANCE = 1


def test_admin_login_redirects_to_the_allauth_login(client: Client) -> None:
    response = client.get(reverse("admin:login") + "?next=/admin/directory/offer/")
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query)["next"] == ["/admin/directory/offer/"]


def test_anonymous_back_office_visit_ends_at_the_allauth_login(client: Client) -> None:
    response = client.get(ADMIN, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_the_admin_login_form_cannot_sign_anyone_in(client: Client, coordinator: Any) -> None:
    client.post(reverse("admin:login"), {"username": coordinator.email, "password": PASSWORD})
    assert client.get(ADMIN).status_code == 302
    assert "_auth_user_id" not in client.session


def test_signed_in_user_without_back_office_access_gets_403_not_a_loop(
    client: Client, coordinator: Any
) -> None:
    coordinator.is_staff = False
    coordinator.save()
    client.force_login(coordinator)
    response = client.get(ADMIN, follow=True)
    assert response.status_code == 403


@pytest.mark.usefixtures("mfa_required")
def test_staff_without_totp_is_sent_to_the_totp_setup(client: Client, coordinator: Any) -> None:
    password_login(client, coordinator)
    for url in (ADMIN, "/admin/directory/offer/", "/admin/networks/user/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.usefixtures("mfa_required")
def test_staff_can_still_log_out_before_setting_up_totp(client: Client, coordinator: Any) -> None:
    password_login(client, coordinator)
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("mfa_required")
def test_setting_up_totp_through_the_form_opens_the_back_office(
    client: Client, coordinator: Any
) -> None:
    password_login(client, coordinator)
    # allauth asks for the password once more before a second factor can be added.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
    client.post(reverse("mfa_activate_totp"), {"code": wrong})
    assert not Authenticator.objects.filter(user=coordinator).exists()
    assert client.get(ADMIN).status_code == 302
    client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
    assert client.get(ADMIN).status_code == 200


@pytest.mark.usefixtures("mfa_required")
def test_login_asks_for_the_totp_code_and_refuses_a_wrong_one(
    client: Client, coordinator: Any
) -> None:
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)

    response = password_login(client, coordinator)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    # The password alone does not open the back office.
    assert client.get(ADMIN).status_code == 302
    assert "_auth_user_id" not in client.session

    wrong = f"{(int(current_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_demo_without_mfa_opens_the_back_office_after_the_password(
    client: Client, settings: Any, coordinator: Any
) -> None:
    settings.ANLAUFSTELLE_REQUIRE_MFA = False
    password_login(client, coordinator)
    assert client.get(ADMIN).status_code == 200


def test_login_page_says_when_the_second_factor_is_switched_off(
    client: Client, settings: Any
) -> None:
    source = "Demo: the second factor is switched off"
    with translation.override("de"):
        german = translation.gettext(source)
    assert german != source  # the note is translated (wording: locale/de)
    assert german.startswith("Demo:")

    settings.ANLAUFSTELLE_REQUIRE_MFA = False
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert german in page

    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert german not in page
    assert 'name="password"' in page


def test_nobody_can_sign_up_as_staff(client: Client) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "Lang-genug-2024!",
            "password2": "Lang-genug-2024!",
        },
    )
    assert response.status_code == 200
    from anlaufstelle.networks.models import User

    assert not User.objects.filter(email="new@example.org").exists()
