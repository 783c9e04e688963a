"""The receipt and the referral notice through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re

from anlaufstelle.cases import services
from anlaufstelle.networks.scoping import network_scope

from .conftest import form_data, site


def to(inbox, address: str):
    return inbox.to(address)


def test_the_receipt_arrives_by_smtp_with_a_working_status_link(
    smtp, client, desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(site(""), form_data())
    [receipt] = to(smtp, "anja@hotel-am-see.example")
    assert "Ihr Anliegen ist eingegangen" in receipt["Subject"]
    body = receipt.get_body(("plain",)).get_content()
    assert "Koch für die Saison" in body
    link = re.search(r"http://testserver(/n/feldberg/anliegen/status/\S+/)", body).group(1)
    page = client.get(link)
    assert page.status_code == 200
    assert "Ihr Anliegen" in page.content.decode()
    # The navigators are told too (no assignee yet: every navigator of the network).
    assert to(smtp, desk.navigator.email)


def test_each_new_referral_e_mails_the_partner_experts(
    smtp, desk, concern, django_capture_on_commit_callbacks
):
    with network_scope(desk.network), django_capture_on_commit_callbacks(execute=True):
        services.refer(
            concern=concern,
            providers=[desk.partner_a, desk.partner_b],
            note="Bitte bis Freitag melden.",
            by=desk.navigator,
        )
    for expert in (desk.expert_a, desk.expert_b):
        [notice] = to(smtp, expert.email)
        body = notice.get_body(("plain",)).get_content()
        assert "Bitte bis Freitag melden." in body
        assert f"/n/feldberg/anliegen/partner/{concern.code}/" in body
