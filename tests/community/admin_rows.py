"""Rows of the exchange's admin models for tests/test_admin_roles.py (one per network)."""

from __future__ import annotations

from typing import Any

KINDS = {
    "community.communitysettings": "network",
    "community.category": "network",
    "community.member": "editors",
    "community.thread": "editors",
    "community.post": "editors",
    "community.report": "editors",
}


def community_rows(personas: Any) -> dict[str, dict[str, Any]]:
    """{label: {"partner": Feldberg's row, "other": Stuttgart's row}}."""
    from anlaufstelle.community.models import (
        Category,
        CommunitySettings,
        Member,
        Post,
        Report,
        Thread,
    )

    nets = {"partner": personas.feldberg.network, "other": personas.stuttgart.network}
    rows: dict[str, dict[str, Any]] = {label: {} for label in KINDS}
    for which, network in nets.items():
        member = Member.objects.create(
            network=network,
            email=f"mitglied-{which}@firma.example",
            handle=f"mitglied-{which}",
            display_name=f"Mitglied {which}",
            status="active",
        )
        category = Category.objects.create(network=network, slug="fragen", name=f"Fragen {which}")
        thread = Thread.objects.create(
            network=network, category=category, title=f"Frage {which}", author=member
        )
        post = Post.objects.create(
            network=network, thread=thread, author=member, body="Text", is_opening=True
        )
        rows["community.communitysettings"][which] = CommunitySettings.objects.create(
            network=network
        )
        rows["community.category"][which] = category
        rows["community.member"][which] = member
        rows["community.thread"][which] = thread
        rows["community.post"][which] = post
        rows["community.report"][which] = Report.objects.create(
            network=network, post=post, reporter=member, reason="Werbung"
        )
    return rows


def hostile_walk_values(personas: Any) -> dict[str, dict[str, str]]:
    """A Feldberg thread with a reply for tests/test_hostile_input.py: the walk's staff
    clients take part as members, so the forum's views run with real codes."""
    from anlaufstelle.community import services, staff_views, views
    from anlaufstelle.community.models import Category, Member

    network = personas.feldberg.network
    author = Member.objects.create(
        network=network,
        email="walk@firma.example",
        handle="walk",
        display_name="Walk",
        status="active",
    )
    category = Category.objects.create(network=network, slug="walk", name="Walk")
    thread = services.start_thread(author=author, category=category, title="Walk", body="Text")
    reply = services.reply(author=author, thread=thread, body="Antwort")
    values: dict[str, dict[str, str]] = {}
    for action in views.POST_ACTIONS:
        values[f"site:community:post_{action}"] = {"code": reply.code}
    for action in staff_views.POST_ACTIONS:
        values[f"site:community:staff_post_{action}"] = {"code": reply.code}
    for action in staff_views.MEMBER_ACTIONS:
        values[f"site:community:staff_member_{action}"] = {"code": author.code}
    for action in staff_views.THREAD_ACTIONS:
        values[f"site:community:staff_thread_{action}"] = {"code": thread.code}
    for name in ("thread", "reply", "follow"):
        values[f"site:community:{name}"] = {"code": thread.code}
    return values
