"""Bad input on the company's form: clear German messages, nothing lost, nothing duplicated."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from anlaufstelle.cases.models import Concern

from .conftest import form_data, site


def concerns() -> int:
    with scopes_disabled():
        return Concern.objects.count()


def test_the_form_is_in_german_and_prefilled_from_the_search(client, desk):
    page = client.get(site("") + "?q=Koch+gesucht").content.decode()
    assert "Anliegen schildern" in page
    assert "Koch gesucht" in page
    assert 'name="idempotency_key"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": ""}, "Bitte beschreiben Sie Ihr Anliegen"),
        ({"text": "   kurz  "}, "mindestens 10 Zeichen"),
        ({"text": "x" * 5001}, "höchstens 5000 Zeichen"),
        ({"text": "Hallo <script>alert(1)</script> wir suchen"}, "ohne HTML"),
        ({"email": "anja@"}, "gültige E-Mail-Adresse"),
        ({"email": ""}, "E-Mail-Adresse"),
        ({"consent": ""}, "Bitte stimmen Sie der Verarbeitung"),
        ({"postcode": "1725"}, "fünf Ziffern"),
    ],
)
def test_bad_input_gets_a_clear_german_message_and_keeps_the_input(
    client, desk, overrides, message
):
    response = client.post(site(""), form_data(**overrides))
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert "Hotel am See" in html  # nothing the company typed is lost
    assert "<script>alert" not in html  # and nothing it typed runs
    assert concerns() == 0


def test_a_double_submit_creates_one_concern(client, desk):
    first = client.post(site(""), form_data(idempotency_key="same"))
    second = client.post(site(""), form_data(idempotency_key="same"))
    assert first.status_code == second.status_code == 302
    # The same concern (the signed token carries a timestamp, so compare the code).
    assert first["Location"].split("/")[5] == second["Location"].split("/")[5]
    assert concerns() == 1


def test_a_new_form_gets_a_new_key(client, desk):
    client.post(site(""), form_data(idempotency_key="one"))
    client.post(site(""), form_data(idempotency_key="two", email="b@example.org"))
    assert concerns() == 2


def test_an_empty_message_on_the_status_page_is_refused(client, desk, concern):
    from anlaufstelle.cases import links
    from anlaufstelle.networks.scoping import network_scope

    with network_scope(desk.network):
        path = links.status_path(concern)
    response = client.post(path, {"aktion": "nachricht", "body": "  "})
    assert response.status_code == 400
    assert "Bitte schreiben Sie eine Nachricht" in response.content.decode()


def test_a_decline_needs_a_reason(client, desk, concern):
    from anlaufstelle.cases import services
    from anlaufstelle.networks.scoping import network_scope

    with network_scope(desk.network):
        services.refer(concern=concern, providers=[desk.partner_a], note="", by=desk.navigator)
    client.force_login(desk.expert_a)
    response = client.post(site(f"partner/{concern.code}/"), {"aktion": "ablehnen", "reason": ""})
    assert response.status_code == 400
    assert "Bitte geben Sie einen Grund" in response.content.decode()


def test_referring_without_consent_to_pass_on_needs_the_navigators_confirmation(client, desk):
    from .conftest import submit

    concern = submit(desk.network, share_consent=False)
    client.force_login(desk.navigator)
    url = site(f"lotsen/{concern.code}/")
    refused = client.post(url, {"aktion": "weiterleiten", "providers": [desk.partner_a.pk]})
    assert refused.status_code == 400
    assert "zugestimmt" in refused.content.decode()
    ok = client.post(
        url,
        {"aktion": "weiterleiten", "providers": [desk.partner_a.pk], "consent_confirmed": "on"},
    )
    assert ok.status_code == 302
    concern.refresh_from_db()
    assert concern.share_consent_source == "navigator" and concern.share_consent_at
    with scopes_disabled():
        kinds = list(concern.timeline.values_list("kind", flat=True))
    # The consent is recorded before the referral.
    assert kinds.index("consent_recorded") < kinds.index("referred")
