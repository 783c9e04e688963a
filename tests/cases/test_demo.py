"""`load_cases_demo` after `load_demo`: Sabine's Monday, repeatable."""

from __future__ import annotations

from django.core import mail
from django.core.management import call_command
from django_scopes import scopes_disabled

from anlaufstelle.cases import services
from anlaufstelle.cases.models import Concern, ConcernStatus


def test_the_demo_gives_each_network_urgent_and_long_untouched_concerns(demo_catalog, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from anlaufstelle.directory.demo.loader import ensure_demo_users

    ensure_demo_users()
    call_command("load_cases_demo")
    call_command("load_cases_demo")  # a second run adds nothing
    with scopes_disabled():
        from anlaufstelle.networks.models import Network

        for slug in ("feldberg", "region-stuttgart"):
            network = Network.objects.get(slug=slug)
            concerns = Concern.objects.filter(network=network)
            assert concerns.count() == 6
            assert concerns.filter(urgency="urgent").exists()
            assert concerns.filter(status=ConcernStatus.DONE).exists()
            assert concerns.filter(status=ConcernStatus.WAITING_PARTNER).exists()
            assert services.untouched_concerns(network)
    assert mail.outbox == []
