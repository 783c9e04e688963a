"""Exchange fixtures: categories and members of Feldberg and Stuttgart, signed-in clients."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.community import membership, services
from anlaufstelle.community.models import Category, CommunitySettings, Member, MemberStatus

LINK = re.compile(r"http://testserver(/n/[-a-z]+/austausch/anmelden/[^/\s]+/)")


@pytest.fixture(autouse=True)
def quiet(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SEARCH_AUTO_INDEX = False
    settings.ANLAUFSTELLE_RATE_LIMITS = {}
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@dataclass
class Forum:
    network: Any
    category: Any
    other_category: Any
    anja: Any  # active company member
    bernd: Any  # active company member


def make_member(network: Any, email: str, name: str, **extra: Any) -> Member:
    with scopes_disabled():
        return Member.objects.create(
            network=network,
            email=email,
            display_name=name,
            handle=membership.unique_handle(network, name),
            status=extra.pop("status", MemberStatus.ACTIVE),
            email_verified_at=timezone.now(),
            **extra,
        )


def make_forum(network: Any, prefix: str) -> Forum:
    with scopes_disabled():
        CommunitySettings.objects.get_or_create(network=network)
        category = Category.objects.create(
            network=network, slug="fachkraefte", name="Fachkräfte finden"
        )
        other = Category.objects.create(network=network, slug="ausbildung", name="Ausbildung")
    return Forum(
        network=network,
        category=category,
        other_category=other,
        anja=make_member(network, f"anja@{prefix}.example", "Anja Berger", company="Hotel am See"),
        bernd=make_member(
            network, f"bernd@{prefix}.example", "Bernd Krause", company="Metallbau Krause"
        ),
    )


@pytest.fixture
def forum(personas: Any) -> Forum:
    return make_forum(personas.feldberg.network, "feldberg")


@pytest.fixture
def stuttgart_forum(personas: Any) -> Forum:
    return make_forum(personas.stuttgart.network, "stuttgart")


def member_client(member: Member) -> Client:
    """A browser session signed in as `member` (the session key the sign-in sets)."""
    client = Client()
    session = client.session
    session[membership.SESSION_KEY] = {str(member.network_id): member.pk}
    session.save()
    return client


def start(forum: Forum, author: Member | None = None, **kw: Any) -> Any:
    with scopes_disabled():
        return services.start_thread(
            author=author or forum.anja,
            category=kw.pop("category", forum.category),
            title=kw.pop("title", "Koch für die Saison gesucht"),
            body=kw.pop("body", "Wir finden keinen Koch. Wer hat Erfahrung mit Saisonkräften?"),
        )


def link_in(mail: Any) -> str:
    match = LINK.search(mail.body)
    assert match, mail.body
    return match.group(1)
