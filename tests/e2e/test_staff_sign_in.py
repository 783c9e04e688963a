"""Staff sign in by keyboard in the site's layout; the sign-in pages pass axe (WCAG 2.1 AA)."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django_scopes import scopes_disabled
from tests.e2e.test_accessibility import describe, run_axe

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(transactional_db: None, settings: Any) -> Any:
    from anlaufstelle.networks.models import Network, Role, User

    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    with scopes_disabled():
        network, _ = Network.objects.get_or_create(
            slug="feldberg", defaults={"name": "Werkraum Feldberg", "region": "mv-seenplatte"}
        )
        user = User.objects.create_user(
            "lotse@feldberg.example",
            "Kennwort-fuer-Tests-2024",
            network=network,
            role=Role.NAVIGATOR,
            is_staff=True,
        )
    return user


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/"])
def test_the_sign_in_pages_have_no_wcag_violations(page: Any, axe_source: str, path: str) -> None:
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    assert response.status == 200
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)


def test_staff_sign_in_by_keyboard_and_are_asked_for_the_code(
    page: Any, axe_source: str, staff: Any
) -> None:
    TOTP.activate(staff, generate_totp_secret())
    page.goto("/accounts/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "Anmeldung für Mitarbeitende"
    assert page.get_by_role("link", name="Registrieren").count() == 0
    page.get_by_label("E-Mail-Adresse").fill(staff.email)
    page.get_by_label("Passwort").fill("Kennwort-fuer-Tests-2024")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Zwei-Faktor-Authentifizierung"
    assert page.locator("link[href*='kern.min.css']").count() == 1
    violations = run_axe(page, axe_source)
    assert violations == [], "axe found violations:\n" + describe(violations)
