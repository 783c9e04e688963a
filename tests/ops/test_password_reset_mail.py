"""Password reset while the mail server is down: a clear German page, not a 500."""

from __future__ import annotations

import pytest

RESET = "/accounts/password/reset/"


@pytest.mark.parametrize(
    "address",
    ["coordinator@feldberg.example", "niemand@unbekannt.example"],
    ids=["known", "unknown"],
)
def test_a_password_reset_with_the_mail_server_down_explains_itself(
    client, personas, smtp_server, address
):
    response = client.post(RESET, {"email": address})
    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    html = response.content.decode()
    assert "Wir konnten die E-Mail nicht senden" in html
    assert "Bitte versuchen Sie es in einigen Minuten erneut." in html
    assert f'href="{RESET}"' in html


def test_the_password_reset_mail_arrives_when_the_server_is_up(client, personas, smtp_server):
    smtp_server.start()
    response = client.post(RESET, {"email": "coordinator@feldberg.example"})
    assert response.status_code == 302
    [mail] = smtp_server.inbox.to("coordinator@feldberg.example")
    assert "/accounts/password/reset/key/" in mail.get_body(("plain",)).get_content()
