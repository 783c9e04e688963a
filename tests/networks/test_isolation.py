"""Tenant isolation in the back office: staff only ever see and change their own network.

The persona set has two networks (Feldberg, Stuttgart) with coordinator, navigator and
partner expert each, and the nationwide pool. Every test runs in both directions.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.db import models
from django.test import Client
from django.test.utils import isolate_apps
from django.urls import reverse
from django_scopes import ScopeError, scopes_disabled

from anlaufstelle.directory.models import Contact, Offer, Provider
from anlaufstelle.networks.checks import unscoped_tenant_models
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.networks.scoping import TenantModel

pytestmark = pytest.mark.django_db

ROLES = ("coordinator", "navigator", "partner_expert")
DIRECTIONS = [("feldberg", "stuttgart"), ("stuttgart", "feldberg")]
# Back-office objects of a network, as attributes of NetworkPersonas.
PRIVATE_OBJECTS = ("provider", "contact", "offer", "unpublished_offer", "legal_page")


def admin_url(obj: Any, action: str = "change") -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=[obj.pk])


def changelist_url(model: type[models.Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def reload(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.filter(pk=obj.pk).first()


@pytest.fixture(params=DIRECTIONS, ids=lambda d: f"{d[0]}-vs-{d[1]}")
def own_and_other(request: pytest.FixtureRequest, personas: Any) -> tuple[Any, Any]:
    own, other = request.param
    return getattr(personas, own), getattr(personas, other)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PRIVATE_OBJECTS)
def test_changelists_never_list_the_other_networks_rows(
    own_and_other: tuple[Any, Any], role: str, name: str
) -> None:
    own, other = own_and_other
    client = staff_client(getattr(own, role))
    mine, theirs = getattr(own, name), getattr(other, name)
    response = client.get(changelist_url(type(mine)))
    assert response.status_code == 200
    page = response.content.decode()
    assert str(mine) in page
    assert str(theirs) not in page
    assert admin_url(theirs) not in page


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PRIVATE_OBJECTS)
def test_the_other_networks_object_cannot_be_opened(
    own_and_other: tuple[Any, Any], role: str, name: str
) -> None:
    own, other = own_and_other
    client = staff_client(getattr(own, role))
    theirs = getattr(other, name)
    for action in ("change", "history", "delete"):
        response = client.get(admin_url(theirs, action))
        # Django answers a missing object with a redirect to the index and a message.
        assert response.status_code in (302, 403, 404), action
        if response.status_code == 302:
            assert response["Location"] == reverse("admin:index")
        assert str(theirs) not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_posting_to_the_other_networks_objects_changes_nothing(
    own_and_other: tuple[Any, Any], role: str
) -> None:
    own, other = own_and_other
    client = staff_client(getattr(own, role))
    attacks = [
        (other.provider, {"name": "Übernommen", "slug": other.provider.slug, "kind": "kammer"}),
        (other.offer, {"title": "Übernommen", "summary": "x", "slug": other.offer.slug}),
        (
            other.contact,
            {"function": "Übernommen", "slug": other.contact.slug, "provider": other.provider.pk},
        ),
        (other.legal_page, {"title": "Übernommen", "body": "x", "kind": "impressum"}),
    ]
    for obj, data in attacks:
        before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
        client.post(admin_url(obj), data)
        client.post(admin_url(obj, "delete"), {"post": "yes"})
        after = reload(obj)
        assert after is not None, obj
        assert {f.attname: getattr(after, f.attname) for f in obj._meta.concrete_fields} == before


@pytest.mark.parametrize("role", ("coordinator", "navigator"))
def test_bulk_delete_cannot_reach_other_or_nationwide_rows(
    personas: Any, own_and_other: tuple[Any, Any], role: str
) -> None:
    own, other = own_and_other
    client = staff_client(getattr(own, role))
    for model, ids in (
        (Offer, [other.offer.pk, other.unpublished_offer.pk, personas.bund_offer.pk]),
        (Provider, [other.provider.pk, personas.bund_provider.pk]),
    ):
        client.post(
            changelist_url(model),
            {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
        )
        with scopes_disabled():
            assert model.objects.filter(pk__in=ids).count() == len(ids)


@pytest.mark.parametrize("role", ROLES)
def test_nationwide_offers_are_visible_but_read_only(personas: Any, role: str) -> None:
    client = staff_client(getattr(personas.feldberg, role))
    offer = personas.bund_offer
    assert offer.title in client.get(changelist_url(Offer)).content.decode()

    response = client.get(admin_url(offer))
    assert response.status_code == 200
    assert offer.title in response.content.decode()
    assert 'name="_save"' not in response.content.decode()

    response = client.post(admin_url(offer), {"title": "Übernommen", "summary": "x"})
    assert response.status_code == 403
    client.post(admin_url(offer, "delete"), {"post": "yes"})
    assert reload(offer).title == "Bundesweiter Zuschuss"


@pytest.mark.parametrize("role", ("coordinator", "navigator"))
def test_editors_change_their_own_rows(own_and_other: tuple[Any, Any], role: str) -> None:
    own, _ = own_and_other
    client = staff_client(getattr(own, role))
    provider = own.provider
    response = client.post(
        admin_url(provider),
        {"name": "Neuer Name", "slug": provider.slug, "kind": provider.kind, "is_published": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert reload(provider).name == "Neuer Name"
    assert reload(provider).network == own.network


def test_partner_experts_and_navigators_cannot_edit_legal_pages(personas: Any) -> None:
    page = personas.feldberg.legal_page
    for role in ("navigator", "partner_expert"):
        client = staff_client(getattr(personas.feldberg, role))
        response = client.post(
            admin_url(page), {"title": "Geändert", "body": "x", "kind": "impressum"}
        )
        assert response.status_code == 403
    assert reload(page).title == page.title


@pytest.mark.parametrize("role", ("coordinator", "navigator"))
def test_new_rows_land_in_the_own_network_even_when_another_is_posted(
    own_and_other: tuple[Any, Any], role: str
) -> None:
    own, other = own_and_other
    client = staff_client(getattr(own, role))
    response = client.post(
        reverse("admin:directory_provider_add"),
        {
            "name": "Neue Anlaufstelle",
            "slug": "neue-anlaufstelle",
            "kind": "kommune",
            "network": other.network.pk,
            "is_published": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with scopes_disabled():
        created = Provider.objects.get(slug="neue-anlaufstelle")
    assert created.network == own.network


@pytest.mark.parametrize("role", ("coordinator", "navigator"))
def test_new_rows_cannot_point_at_the_other_networks_rows(
    own_and_other: tuple[Any, Any], role: str
) -> None:
    own, other = own_and_other
    client = staff_client(getattr(own, role))
    response = client.post(
        reverse("admin:directory_contact_add"),
        {"function": "Eingeschleust", "slug": "eingeschleust", "provider": other.provider.pk},
    )
    assert response.status_code == 200  # the form comes back with an error
    with scopes_disabled():
        assert not Contact.objects.filter(slug="eingeschleust").exists()


def test_partner_experts_cannot_create_rows(personas: Any) -> None:
    client = staff_client(personas.feldberg.partner_expert)
    response = client.post(
        reverse("admin:directory_provider_add"),
        {"name": "Neu", "slug": "neu-vom-experten", "kind": "kommune"},
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not Provider.objects.filter(slug="neu-vom-experten").exists()


# --- staff accounts ---


def test_coordinators_only_list_the_staff_of_their_network(
    personas: Any, own_and_other: tuple[Any, Any]
) -> None:
    own, other = own_and_other
    page = staff_client(own.coordinator).get(changelist_url(User)).content.decode()
    assert own.navigator.email in page
    assert other.navigator.email not in page
    assert other.coordinator.email not in page
    assert personas.operator.email not in page


def test_coordinators_cannot_open_or_change_the_other_networks_staff(
    own_and_other: tuple[Any, Any],
) -> None:
    own, other = own_and_other
    client = staff_client(own.coordinator)
    target = other.navigator
    password_url = reverse("admin:auth_user_password_change", args=[target.pk])
    for url in (admin_url(target), admin_url(target, "delete"), password_url):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert target.email not in response.content.decode()
    client.post(admin_url(target), {"email": "gekapert@example.org", "role": "coordinator"})
    client.post(
        password_url,
        {"password1": "Gekapert-2024-xyz", "password2": "Gekapert-2024-xyz"},
    )
    client.post(admin_url(target, "delete"), {"post": "yes"})
    after = User.objects.get(pk=target.pk)
    assert after.email == target.email
    assert after.check_password("Kennwort-fuer-Tests-2024")


def test_coordinators_cannot_touch_operators(personas: Any) -> None:
    client = staff_client(personas.feldberg.coordinator)
    operator = personas.operator
    assert client.get(admin_url(operator)).status_code in (302, 403, 404)
    client.post(admin_url(operator, "delete"), {"post": "yes"})
    assert User.objects.filter(pk=operator.pk, is_superuser=True).exists()


def test_a_coordinator_creates_staff_only_in_the_own_network_and_never_operators(
    own_and_other: tuple[Any, Any],
) -> None:
    own, other = own_and_other
    client = staff_client(own.coordinator)
    response = client.post(
        reverse("admin:networks_user_add"),
        {
            "email": "neu@example.org",
            "password1": "Sehr-geheim-2024-xyz",
            "password2": "Sehr-geheim-2024-xyz",
            "role": Role.NAVIGATOR,
            "network": other.network.pk,
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = User.objects.get(email="neu@example.org")
    assert created.network == own.network
    assert not created.is_superuser


def test_a_coordinator_cannot_make_anyone_an_operator_or_move_them(
    own_and_other: tuple[Any, Any],
) -> None:
    own, other = own_and_other
    client = staff_client(own.coordinator)
    navigator = own.navigator
    response = client.post(
        admin_url(navigator),
        {
            "email": navigator.email,
            "role": Role.COORDINATOR,
            "network": other.network.pk,
            "is_superuser": "on",
            "is_active": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    navigator.refresh_from_db()
    assert navigator.role == Role.COORDINATOR
    assert navigator.network == own.network
    assert not navigator.is_superuser


def test_a_partner_experts_provider_must_be_from_the_own_network(
    own_and_other: tuple[Any, Any],
) -> None:
    own, other = own_and_other
    client = staff_client(own.coordinator)
    response = client.post(
        reverse("admin:networks_user_add"),
        {
            "email": "experte@example.org",
            "password1": "Sehr-geheim-2024-xyz",
            "password2": "Sehr-geheim-2024-xyz",
            "role": Role.PARTNER_EXPERT,
            "provider": other.provider.pk,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="experte@example.org").exists()


@pytest.mark.parametrize("role", ("navigator", "partner_expert"))
def test_only_coordinators_manage_staff(personas: Any, role: str) -> None:
    client = staff_client(getattr(personas.feldberg, role))
    assert client.get(changelist_url(User)).status_code == 403
    assert client.get(reverse("admin:networks_user_add")).status_code == 403


def test_coordinators_see_and_edit_only_their_own_network_record(
    own_and_other: tuple[Any, Any],
) -> None:
    own, other = own_and_other
    client = staff_client(own.coordinator)
    page = client.get(changelist_url(Network)).content.decode()
    assert own.network.name in page
    assert other.network.name not in page
    client.post(admin_url(other.network), {"name": "Übernommen"})
    assert Network.objects.get(pk=other.network.pk).name == other.network.name


# --- the scope follows the staff member, never the request's host or default network ---


def test_the_default_network_setting_does_not_widen_the_back_office(
    personas: Any, settings: Any
) -> None:
    settings.ANLAUFSTELLE_DEFAULT_NETWORK = "stuttgart"
    page = staff_client(personas.feldberg.coordinator).get(changelist_url(Offer)).content.decode()
    assert personas.feldberg.offer.title in page
    assert personas.stuttgart.offer.title not in page


def test_the_other_networks_host_name_does_not_widen_the_back_office(
    personas: Any, settings: Any
) -> None:
    settings.ALLOWED_HOSTS = ["stuttgart.example"]
    stuttgart = personas.stuttgart.network
    stuttgart.hostnames = "stuttgart.example"
    stuttgart.save()
    client = staff_client(personas.feldberg.coordinator)
    page = client.get(changelist_url(Offer), HTTP_HOST="stuttgart.example").content.decode()
    assert personas.feldberg.offer.title in page
    assert personas.stuttgart.unpublished_offer.title not in page


def test_operators_see_every_network(personas: Any) -> None:
    page = staff_client(personas.operator).get(changelist_url(Offer)).content.decode()
    for offer in (personas.feldberg.offer, personas.stuttgart.offer, personas.bund_offer):
        assert offer.title in page


def test_failed_attempts_leave_no_change_log_for_foreign_objects(
    own_and_other: tuple[Any, Any],
) -> None:
    own, other = own_and_other
    client = staff_client(own.coordinator)
    client.post(admin_url(other.offer), {"title": "Übernommen", "summary": "x"})
    assert not LogEntry.objects.filter(object_id=str(other.offer.pk)).exists()


# --- the mechanisms underneath ---


def test_a_query_outside_any_scope_raises() -> None:
    with pytest.raises(ScopeError):
        list(Offer.objects.all())
    with pytest.raises(ScopeError):
        Provider.objects.filter(slug="x").exists()


@isolate_apps("anlaufstelle.networks")
def test_the_system_check_flags_a_network_model_without_scoped_manager() -> None:
    class Unscoped(models.Model):  # noqa: DJ008
        network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "networks"

    class Scoped(TenantModel):
        class Meta:
            app_label = "networks"

    class NoNetwork(models.Model):  # noqa: DJ008
        class Meta:
            app_label = "networks"

    errors = unscoped_tenant_models([Unscoped, Scoped, NoNetwork])
    assert [(e.id, e.obj) for e in errors] == [("anlaufstelle.E001", Unscoped)]


def test_the_real_models_pass_the_system_check() -> None:
    from django.core import checks

    assert not [e for e in checks.run_checks() if e.id == "anlaufstelle.E001"]


def test_a_duplicate_slug_in_the_own_network_is_a_form_error_not_a_crash(personas: Any) -> None:
    own = personas.feldberg
    client = staff_client(own.navigator)
    response = client.post(
        reverse("admin:directory_provider_add"),
        {"name": "Doppelt", "slug": own.provider.slug, "kind": "kommune", "is_published": "on"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    with scopes_disabled():
        assert Provider.objects.filter(slug=own.provider.slug).count() == 1


def test_the_same_slug_may_exist_in_another_network(personas: Any) -> None:
    client = staff_client(personas.feldberg.navigator)
    response = client.post(
        reverse("admin:directory_provider_add"),
        {
            "name": "Gleicher Slug",
            "slug": personas.stuttgart.provider.slug,
            "kind": "kommune",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Provider.objects.filter(slug=personas.stuttgart.provider.slug).count() == 2
