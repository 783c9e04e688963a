"""The navigators' inbox shows per concern the company's unread chat messages, with a
constant number of queries however many concerns have them."""

from __future__ import annotations

import pytest

from .conftest import company_path, staff_path, submit

pytestmark = pytest.mark.django_db

INBOX = "/n/feldberg/anliegen/lotsen/"


def test_the_inbox_shows_unread_company_messages_per_concern(client, desk, concern):
    other = submit(desk.network, email="z@example.org", text="Zweites Anliegen ohne Chat")
    for body in ("Eins", "Zwei", "Drei"):
        client.post(company_path(concern), {"body": body})
    client.force_login(desk.navigator)
    page = client.get(INBOX).content.decode()
    assert "3 ungelesene Nachrichten" in page
    assert page.count("ungelesene Nachricht") == 1  # the other concern has none
    assert other.code in page
    # Reading the chat clears the count; a new company message counts again (singular).
    client.get(staff_path(concern, "nachrichten/"))
    assert "ungelesene Nachricht" not in client.get(INBOX).content.decode()
    client.logout()
    client.post(company_path(concern), {"body": "Vier"})
    client.force_login(desk.navigator)
    assert "1 ungelesene Nachricht<" in client.get(INBOX).content.decode()
    # Another navigator has read nothing yet: the count is per reader.
    client.force_login(desk.coordinator)
    assert "4 ungelesene Nachrichten" in client.get(INBOX).content.decode()


def test_unread_counts_cost_the_same_queries_for_more_concerns(
    client, desk, concern, django_assert_num_queries, django_assert_max_num_queries
):
    client.post(company_path(concern), {"body": "Hallo"})
    client.force_login(desk.navigator)
    client.get(INBOX)  # warm up (session, settings)
    with django_assert_max_num_queries(60) as few:
        assert "1 ungelesene Nachricht" in client.get(INBOX).content.decode()
    few_queries = len(few.captured_queries)  # read now: the next request resets the log
    for i in range(5):
        case = submit(desk.network, email=f"u{i}@example.org", text=f"Anliegen Nummer {i} hier")
        client.logout()
        client.post(company_path(case), {"body": "Noch eine Frage"})
        client.post(company_path(case), {"body": "Und noch eine"})
    client.force_login(desk.navigator)
    client.get(INBOX)
    with django_assert_num_queries(few_queries):
        page = client.get(INBOX).content.decode()
    assert page.count("2 ungelesene Nachrichten") == 5
