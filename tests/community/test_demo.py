"""The exchange's demo: threads in German through the real services, idempotent."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.community import demo
from anlaufstelle.community.models import Member, Thread

pytestmark = pytest.mark.django_db


def test_the_demo_loads_threads_with_an_expert_answer_once(personas):
    network = personas.feldberg.network
    with scopes_disabled():
        assert demo.load(network) == 2
        assert demo.load(network) == 0
        threads = Thread.objects.filter(network=network)
        assert threads.count() == 2
        answered = threads.exclude(accepted_post=None).get()
        assert answered.accepted_post.author.user == personas.feldberg.partner_expert
        assert Member.objects.filter(network=network, status="pending").count() == 1
