"""manage.py load_demo: content, logins, idempotency and --reset."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django_scopes import scopes_disabled

from anlaufstelle.directory.demo.loader import DEMO_PASSWORD, login_url
from anlaufstelle.directory.models import Contact, Offer, Provider
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.pages.models import LegalPage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def state() -> dict[str, object]:
    with scopes_disabled():
        return {
            "users": sorted(
                User.objects.values_list(
                    "email", "password", "role", "network__slug", "provider__slug", "is_superuser"
                ),
                key=str,
            ),
            "offers": sorted(Offer.objects.values_list("slug", "updated_at", "last_checked")),
            "contacts": sorted(Contact.objects.values_list("slug", "function")),
            "pages": sorted(LegalPage.objects.values_list("network__slug", "kind", "updated_at")),
            "networks": sorted(
                Network.objects.values_list("slug", "place", "opening_hours", "team_functions")
            ),
        }


def test_load_demo_creates_three_staff_logins_per_network_and_an_operator() -> None:
    out = load_demo()

    with scopes_disabled():
        for slug, expert_provider in (
            ("feldberg", "aa-neubrandenburg"),
            ("region-stuttgart", "aa-stuttgart"),
        ):
            staff = User.objects.filter(network__slug=slug)
            assert sorted(staff.values_list("role", flat=True)) == sorted(Role.values)
            assert all(user.is_staff and not user.is_superuser for user in staff)
            expert = staff.get(role=Role.PARTNER_EXPERT)
            assert expert.provider.slug == expert_provider
            assert expert.provider.network.slug == slug
            for user in staff:
                assert authenticate(email=user.email, password=DEMO_PASSWORD) == user
                assert user.email in out
        operator = User.objects.get(is_superuser=True)
        assert operator.network is None
        assert authenticate(email=operator.email, password=DEMO_PASSWORD) == operator
    assert login_url() in out
    assert DEMO_PASSWORD in out
    assert "http://127.0.0.1:8000/n/feldberg/" in out
    assert "http://127.0.0.1:8000/n/region-stuttgart/" in out


def test_a_demo_login_opens_the_back_office(client: object) -> None:
    load_demo()

    response = client.post(  # type: ignore[attr-defined]
        "/accounts/login/",
        {"login": "koordination.feldberg@demo.example", "password": DEMO_PASSWORD},
    )

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200  # type: ignore[attr-defined]


def test_load_demo_brings_the_lab_presentation_contacts_pages_and_check_dates() -> None:
    load_demo()

    with scopes_disabled():
        feldberg = Network.objects.get(slug="feldberg")
        assert feldberg.contact_email == "kontakt@werkraum-feldberg.example"
        assert feldberg.place and feldberg.opening_hours
        assert len(feldberg.team_function_list()) >= 3
        for network in Network.objects.filter(slug__in=["feldberg", "region-stuttgart"]):
            kinds = set(LegalPage.objects.filter(network=network).values_list("kind", flat=True))
            assert kinds == {"impressum", "datenschutz", "barrierefreiheit"}
            for page in LegalPage.objects.filter(network=network):
                assert "Demo-Text" in page.body
                assert network.contact_email in page.body
        providers_without_contact = Provider.objects.filter(contacts__isnull=True)
        assert list(providers_without_contact) == []
        assert all(c.network_id == c.provider.network_id for c in Contact.objects.all())
        assert not Contact.objects.exclude(email__endswith=".example").exists()
        assert Offer.objects.count() == 128
        assert not Offer.objects.filter(last_checked__isnull=True).exists()


def test_load_demo_twice_changes_nothing() -> None:
    load_demo()
    before = state()

    load_demo()

    assert state() == before


def test_load_demo_reset_restores_edited_demo_rows() -> None:
    load_demo()
    before = state()
    with scopes_disabled():
        Offer.objects.filter(slug="eingliederungszuschuss").update(title="Bearbeitet")
        User.objects.filter(email="lotse.feldberg@demo.example").delete()

    out = load_demo("--reset")

    assert "gelöscht" in out
    with scopes_disabled():
        assert Offer.objects.get(slug="eingliederungszuschuss").title.startswith(
            "Eingliederungszuschuss"
        )
        assert User.objects.filter(email="lotse.feldberg@demo.example").exists()
        assert Offer.objects.count() == 128
        assert User.objects.count() == len(before["users"])  # type: ignore[arg-type]


def test_the_demo_catalog_fixture_gives_both_networks(
    feldberg: Network, stuttgart: Network
) -> None:
    with scopes_disabled():
        assert Offer.objects.filter(network=feldberg).count() == 52
        assert Offer.objects.filter(network=stuttgart).count() == 40
    assert not User.objects.exists()
