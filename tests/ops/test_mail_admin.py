"""Failed e-mails in the back office: the network's coordinators and operators see them
and send them again; nobody else sees another network's mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.ops.models import MailDelivery, MailStatus

LIST = "/admin/ops/maildelivery/"


def failed_mail(network, to: str = "anja@hotel-am-see.example") -> MailDelivery:
    with scopes_disabled():
        return MailDelivery.objects.create(
            network=network,
            recipients=[to],
            subject=f"Ihre Anfrage an {network.name if network else 'Anlaufstelle'}",
            body="Guten Tag, wir haben Ihre Anfrage erhalten.",
            status=MailStatus.FAILED,
            attempts=8,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
            created_at=timezone.now() - timedelta(days=1),
        )


@pytest.fixture
def mails(personas):
    return {
        "feldberg": failed_mail(personas.feldberg.network),
        "stuttgart": failed_mail(personas.stuttgart.network, "b@firma.example"),
        "bund": failed_mail(personas.bund, "c@firma.example"),
        "staff": failed_mail(None, "neu@feldberg.example"),
    }


def test_the_coordinator_sees_the_failed_mail_of_their_own_network_only(client, personas, mails):
    client.force_login(personas.feldberg.coordinator)
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ihre Anfrage an Werkraum Feldberg" in html
    assert "fehlgeschlagen" in html
    assert "Erneut senden" in html
    for other in ("stuttgart", "bund", "staff"):
        assert mails[other].subject not in html
        detail = client.get(f"{LIST}{mails[other].pk}/change/")
        assert detail.status_code in (302, 404)  # the admin redirects "does not exist"
    assert client.get(f"{LIST}{mails['feldberg'].pk}/change/").status_code == 200


@pytest.mark.parametrize("role", ["navigator", "partner_expert"])
def test_other_staff_do_not_see_outgoing_mail(client, personas, mails, role):
    client.force_login(getattr(personas.feldberg, role))
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{mails['feldberg'].pk}/change/").status_code in (302, 403)


def test_the_operator_sees_every_mail_also_staff_mail(client, personas, mails):
    client.force_login(personas.operator)
    html = client.get(LIST).content.decode()
    for mail in mails.values():
        assert mail.subject in html


def test_send_again_delivers_a_failed_mail_through_the_real_server(
    client, personas, mails, smtp_server
):
    smtp_server.start()
    client.force_login(personas.feldberg.coordinator)
    page = client.post(
        LIST,
        {
            "action": "send_again",
            "_selected_action": [mails["feldberg"].pk, mails["stuttgart"].pk],
        },
        follow=True,
    )
    assert "1 E-Mail gesendet." in page.content.decode()
    [mail] = smtp_server.inbox.messages
    assert mail["To"] == "anja@hotel-am-see.example"
    assert mail["Subject"] == "Ihre Anfrage an Werkraum Feldberg"
    with scopes_disabled():
        mails["feldberg"].refresh_from_db()
        mails["stuttgart"].refresh_from_db()
    assert mails["feldberg"].status == MailStatus.SENT
    assert mails["stuttgart"].status == MailStatus.FAILED  # not theirs: untouched


def test_send_again_while_the_server_is_still_down_says_so_and_retries(
    client, personas, mails, smtp_server
):
    client.force_login(personas.feldberg.coordinator)
    page = client.post(
        LIST, {"action": "send_again", "_selected_action": [mails["feldberg"].pk]}, follow=True
    )
    assert page.status_code == 200
    assert "konnte nicht gesendet werden" in page.content.decode()
    with scopes_disabled():
        mails["feldberg"].refresh_from_db()
    assert mails["feldberg"].status == MailStatus.QUEUED
    assert mails["feldberg"].attempts == 1  # a fresh round of attempts
