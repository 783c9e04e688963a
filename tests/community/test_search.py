"""Threads in the search (kind "thread") and, once an expert's answer is accepted, among
the assistant's sources; hidden threads leave the index."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from anlaufstelle.assistant.engine import respond
from anlaufstelle.community import membership, services
from anlaufstelle.community.models import Category, Member
from anlaufstelle.networks.models import Role, User
from anlaufstelle.search.indexing import rebuild_index
from anlaufstelle.search.models import SearchDocument
from search.conftest import search_world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

QUESTION = "Gibt es einen Zuschuss, wenn wir Langzeitarbeitslose einstellen?"


def thread_about_the_subsidy(network, *, expert_answers: bool):
    with scopes_disabled():
        category = Category.objects.create(network=network, slug="foerderung", name="Förderung")
        anja = Member.objects.create(
            network=network, email="anja@hotel.example", handle="anja", display_name="Anja",
            status="active",
        )  # fmt: skip
        thread = services.start_thread(
            author=anja,
            category=category,
            title="Langzeitarbeitslose einstellen: wer hat Erfahrung mit dem Zuschuss?",
            body="Wir wollen Langzeitarbeitslose einstellen. Wie beantragt man den Zuschuss?",
        )
        if expert_answers:
            expert = User.objects.create_user(
                "experte@feldberg.example", None, network=network, role=Role.PARTNER_EXPERT,
                is_staff=True, first_name="Jens", last_name="Arbeitgeberservice",
            )  # fmt: skip
            author = membership._staff_member(network, expert)
        else:
            author = Member.objects.create(
                network=network, email="bernd@metall.example", handle="bernd",
                display_name="Bernd", status="active",
            )  # fmt: skip
        answer = services.reply(
            author=author,
            thread=thread,
            body="Den Eingliederungszuschuss beantragen Sie vor der Einstellung beim "
            "Arbeitgeberservice.",
        )
        services.accept_answer(member=anja, post=answer)
    return thread


def refs(reply) -> list[str]:
    return [s.ref for s in reply.sources]


def test_an_expert_answered_thread_is_among_the_assistants_sources(search_world):  # noqa: F811
    thread = thread_about_the_subsidy(search_world.feldberg, expert_answers=True)
    rebuild_index(embed=False)
    with scopes_disabled():
        doc = SearchDocument.objects.get(ref=f"thread:{thread.code.lower()}")
    assert doc.kind == "answered_thread"
    assert "Eingliederungszuschuss" in doc.body
    reply = respond(network=search_world.feldberg, message=QUESTION)
    assert refs(reply)[0] == "offer:eingliederungszuschuss"
    assert f"thread:{thread.code.lower()}" in refs(reply)
    source = next(s for s in reply.sources if s.ref.startswith("thread:"))
    assert source.url == f"/n/feldberg/austausch/thema/{thread.code}/"


def test_a_thread_answered_by_a_company_is_searchable_but_not_cited(search_world):  # noqa: F811
    thread = thread_about_the_subsidy(search_world.feldberg, expert_answers=False)
    rebuild_index(embed=False)
    with scopes_disabled():
        assert SearchDocument.objects.get(ref=f"thread:{thread.code.lower()}").kind == "thread"
    reply = respond(network=search_world.feldberg, message=QUESTION)
    assert all(not ref.startswith("thread:") for ref in refs(reply))


def test_a_new_thread_enters_the_index_and_a_hidden_one_leaves(search_world, settings):  # noqa: F811
    settings.SEARCH_AUTO_INDEX = True
    settings.SEARCH_EMBEDDER = "none"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        thread = thread_about_the_subsidy(search_world.feldberg, expert_answers=False)
    ref = f"thread:{thread.code.lower()}"
    with scopes_disabled():
        assert SearchDocument.objects.filter(ref=ref).exists()
        opening = thread.posts.get(is_opening=True)
    with TestCase.captureOnCommitCallbacks(execute=True), scopes_disabled():
        services.set_post_hidden(post=opening, hidden=True)
    with scopes_disabled():
        assert not SearchDocument.objects.filter(ref=ref).exists()


def test_the_search_page_links_a_thread_only_on_its_own_network(search_world):  # noqa: F811
    thread = thread_about_the_subsidy(search_world.feldberg, expert_answers=True)
    rebuild_index(embed=False)
    page = Client().get("/n/feldberg/suche/", {"q": "Langzeitarbeitslose Zuschuss Erfahrung"})
    assert f"thread%3A{thread.code.lower()}" in page.content.decode()
    opened = Client().get(
        "/n/feldberg/suche/klick/", {"ref": f"thread:{thread.code.lower()}", "rang": "1"}
    )
    assert opened.status_code == 302
    assert opened["Location"] == f"/n/feldberg/austausch/thema/{thread.code}/"
    other = Client().get("/n/stuttgart/suche/", {"q": "Langzeitarbeitslose Zuschuss Erfahrung"})
    assert thread.code.lower() not in other.content.decode().lower()
