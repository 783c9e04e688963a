"""Who may see what: partners only their referrals, navigators only their network, the
status link only its own concern; codes are random and wrong ones answer 404."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.cases import links, services
from anlaufstelle.lib.codes import CODE_ALPHABET
from anlaufstelle.networks.scoping import network_scope

from .conftest import site, submit


@pytest.fixture
def referred(desk, concern):
    with network_scope(desk.network):
        services.refer(concern=concern, providers=[desk.partner_a], note="", by=desk.navigator)
    return concern


def test_a_partner_sees_only_concerns_referred_to_its_organisation(client, desk, referred):
    other = submit(desk.network, email="murat@metall.example", text="CNC-Fachkräfte aus der Türkei")
    client.force_login(desk.expert_a)
    inbox = client.get(site("partner/")).content.decode()
    assert referred.code in inbox and other.code not in inbox
    assert client.get(site(f"partner/{referred.code}/")).status_code == 200
    assert client.get(site(f"partner/{other.code}/")).status_code == 404

    client.force_login(desk.expert_b)  # the other partner organisation
    assert referred.code not in client.get(site("partner/")).content.decode()
    assert client.get(site(f"partner/{referred.code}/")).status_code == 404
    response = client.post(site(f"partner/{referred.code}/"), {"aktion": "annehmen"})
    assert response.status_code == 404


def test_partners_cannot_open_the_navigators_inbox(client, desk, referred):
    client.force_login(desk.expert_a)
    assert client.get(site("lotsen/")).status_code == 404
    assert client.get(site(f"lotsen/{referred.code}/")).status_code == 404


def test_navigators_see_only_their_own_network(client, desk, concern):
    client.force_login(desk.outsider_navigator)
    # Through the other network's site …
    assert client.get(site(f"lotsen/{concern.code}/", network="stuttgart")).status_code == 404
    assert concern.code not in client.get(site("lotsen/", network="stuttgart")).content.decode()
    # … and through this network's site, where the outsider has no role.
    assert client.get(site("lotsen/")).status_code == 404
    assert client.get(site(f"lotsen/{concern.code}/")).status_code == 404
    response = client.post(site(f"lotsen/{concern.code}/"), {"aktion": "uebernehmen"})
    assert response.status_code == 404
    concern.refresh_from_db()
    assert concern.assignee is None


def test_the_navigator_sees_the_inbox_and_anonymous_visitors_must_log_in(client, desk, concern):
    response = client.get(site("lotsen/"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(desk.navigator)
    page = client.get(site("lotsen/"))
    assert page.status_code == 200 and concern.code in page.content.decode()
    assert "no-cache" in page["Cache-Control"] or "no-store" in page["Cache-Control"]


def test_the_status_link_opens_only_its_own_concern(client, desk, concern):
    other = submit(desk.network, email="murat@metall.example")
    with network_scope(desk.network):
        token = links.make_token(concern)
        other_token = links.make_token(other)
    assert client.get(site(f"status/{concern.code}/{token}/")).status_code == 200
    assert client.get(site(f"status/{other.code}/{token}/")).status_code == 404
    assert client.get(site(f"status/{concern.code}/{other_token}/")).status_code == 404
    assert client.get(site(f"status/{concern.code}/{token[:-2]}xx/")).status_code == 404
    assert client.get(site(f"status/ZZZZZZZZZZ/{token}/")).status_code == 404
    # The same link under the other network's prefix does not work either.
    assert (
        client.get(site(f"status/{concern.code}/{token}/", network="stuttgart")).status_code == 404
    )


def test_concern_codes_are_random_not_sequential(desk):
    codes = [submit(desk.network, email=f"firma{i}@example.org").code for i in range(5)]
    assert len(set(codes)) == 5
    assert all(len(c) == 10 and set(c) <= set(CODE_ALPHABET) for c in codes)
    with scopes_disabled():
        from anlaufstelle.cases.models import Concern

        pks = [str(pk) for pk in Concern.objects.values_list("pk", flat=True)]
    assert not any(pk in codes for pk in pks)


def test_services_refuse_staff_of_another_network(desk, concern):
    with network_scope(desk.network), pytest.raises(services.CaseError):
        services.assign(concern=concern, to=desk.outsider_navigator, by=desk.outsider_navigator)
    with network_scope(desk.network), pytest.raises(services.CaseError):
        services.assign(concern=concern, to=desk.outsider_navigator, by=desk.navigator)


def test_nothing_is_deleted_by_closing(desk, concern):
    with network_scope(desk.network):
        services.close_concern(concern=concern, outcome="advice_given", by=desk.navigator)
        with pytest.raises(services.CaseError):
            services.close_concern(concern=concern, outcome="advice_given", by=desk.navigator)
    concern.refresh_from_db()
    assert concern.text.startswith("Wir finden keinen Koch")
