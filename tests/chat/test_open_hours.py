"""Open online consultation hours: the waiting room, calling the next one, permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.chat import openhours
from anlaufstelle.chat.models import QueueEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def hour(desk):
    now = timezone.now()
    with scopes_disabled():
        return openhours.create_open_hour(
            network=desk.network,
            host=desk.expert_a,
            title="Offene Sprechstunde Anerkennung",
            starts_at=now,
            ends_at=now + timedelta(hours=1),
        )


def join(client, hour, name: str, **extra) -> object:
    response = client.post(f"/n/feldberg/sprechstunde/{hour.code}/", {"name": name, **extra})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"])


def test_the_hour_has_a_video_link_from_the_network_pattern(hour):
    assert hour.video_url.startswith("https://meet.jit.si/Anlaufstelle")


def test_companies_join_see_their_place_and_only_the_called_one_sees_the_link(client, hour):
    first = join(client, hour, "Anja Muster")
    assert "Ihr Platz in der Warteschlange: 1" in first.content.decode()
    second_client = type(client)()
    second = join(second_client, hour, "Murat Yilmaz", company_name="Metallbau")
    assert "Ihr Platz in der Warteschlange: 2" in second.content.decode()
    assert hour.video_url not in first.content.decode() + second.content.decode()
    with scopes_disabled():
        called = openhours.call_next(open_hour=hour)
    assert called.name == "Anja Muster"
    entry_url = first.wsgi_request.path
    assert hour.video_url in client.get(entry_url).content.decode()
    assert (
        "Ihr Platz in der Warteschlange: 1"
        in second_client.get(second.wsgi_request.path).content.decode()
    )
    assert hour.video_url not in second_client.get(second.wsgi_request.path).content.decode()
    # The next call ends the first one's turn.
    with scopes_disabled():
        assert openhours.call_next(open_hour=hour).name == "Murat Yilmaz"
    assert hour.video_url not in client.get(entry_url).content.decode()


def test_the_called_company_gets_an_email_when_it_asked_for_one(
    client, hour, mailoutbox, django_capture_on_commit_callbacks
):
    join(client, hour, "Anja Muster", email="anja@hotel.example")
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        openhours.call_next(open_hour=hour)
    assert [m.to for m in mailoutbox] == [["anja@hotel.example"]]
    assert hour.video_url in mailoutbox[0].body
    assert "an der Reihe" in mailoutbox[0].subject


def test_a_company_may_leave_the_queue(client, hour):
    page = join(client, hour, "Anja Muster")
    response = client.post(page.wsgi_request.path, {"aktion": "verlassen"})
    assert response.status_code == 302
    with scopes_disabled():
        assert QueueEntry.objects.get().status == "left"
        assert openhours.call_next(open_hour=hour) is None


def test_a_closed_hour_takes_nobody_in(client, hour):
    with scopes_disabled():
        openhours.set_status(open_hour=hour, status="closed")
    response = client.post(f"/n/feldberg/sprechstunde/{hour.code}/", {"name": "Zu spät"})
    assert response.status_code in (200, 409)
    with scopes_disabled():
        assert not QueueEntry.objects.exists()


def test_the_form_refuses_missing_names_with_400(client, hour):
    response = client.post(f"/n/feldberg/sprechstunde/{hour.code}/", {"name": ""})
    assert response.status_code == 400


def test_the_host_calls_the_next_one_through_the_page(client, desk, hour):
    join(type(client)(), hour, "Anja Muster")
    client.force_login(desk.expert_a)
    page = client.get(f"/n/feldberg/sprechstunde/verwaltung/{hour.code}/")
    assert page.status_code == 200
    assert "Anja Muster" in page.content.decode()
    response = client.post(
        f"/n/feldberg/sprechstunde/verwaltung/{hour.code}/", {"aktion": "naechste"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert QueueEntry.objects.get().status == "called"
    assert (
        client.post(
            f"/n/feldberg/sprechstunde/verwaltung/{hour.code}/", {"aktion": "unbekannt"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("who", ["outsider_navigator", "expert_b"])
def test_others_get_404_on_the_host_pages(client, desk, hour, who):
    client.force_login(getattr(desk, who))
    for path in ("", "warteschlange/"):
        assert (
            client.get(f"/n/feldberg/sprechstunde/verwaltung/{hour.code}/{path}").status_code == 404
        )
    assert (
        client.post(
            f"/n/feldberg/sprechstunde/verwaltung/{hour.code}/", {"aktion": "naechste"}
        ).status_code
        == 404
    )


def test_the_navigator_sees_every_hour_of_the_network(client, desk, hour):
    client.force_login(desk.navigator)
    assert client.get(f"/n/feldberg/sprechstunde/verwaltung/{hour.code}/").status_code == 200


def test_the_hour_is_not_visible_from_another_network(client, hour):
    assert client.get(f"/n/stuttgart/sprechstunde/{hour.code}/").status_code == 404


def test_an_expert_schedules_an_hour(client, desk):
    client.force_login(desk.expert_a)
    start = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    response = client.post(
        "/n/feldberg/sprechstunde/verwaltung/",
        {"title": "Sprechstunde Visum", "starts_at": start, "minutes": "60"},
    )
    assert response.status_code == 302
    assert client.get("/n/feldberg/sprechstunde/").content.decode().count("Sprechstunde Visum") == 1
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    refused = client.post(
        "/n/feldberg/sprechstunde/verwaltung/",
        {"title": "Gestern", "starts_at": past, "minutes": "60"},
    )
    assert refused.status_code == 400
    assert "in der Zukunft enden" in refused.content.decode()


def test_waiting_room_entries_are_deleted_30_days_after_the_hour(client, hour):
    join(client, hour, "Anja Muster")
    with scopes_disabled():
        assert openhours.purge_entries(now=timezone.now() + timedelta(days=10)) == 0
        assert openhours.purge_entries(now=timezone.now() + timedelta(days=32)) == 1
