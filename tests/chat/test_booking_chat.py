"""The direct chat inside a booking: the company (its signed booking link) and the
expert's side (the hour's expert, their organisation's experts, the network's navigators
and coordinators) write to each other; permissions, files, read marks, unread counts,
e-mail when offline, flooding, erasure and retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.booking import privacy, tokens
from anlaufstelle.booking.models import Booking
from anlaufstelle.chat import services
from anlaufstelle.chat.access import booking_company_party, booking_staff_party
from anlaufstelle.chat.models import Attachment, BookingMessage, ReadMark
from anlaufstelle.chat.threads import group_name
from anlaufstelle.networks.scoping import network_scope

from .conftest import book, booking_company_path, booking_staff_path, view_token
from .test_chat_pages import mails_when_offline

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def messages_of(booking) -> list[tuple[str, str]]:
    with scopes_disabled():
        return list(
            BookingMessage.objects.filter(booking=booking)
            .order_by("pk")
            .values_list("sender", "body")
        )


def test_company_and_expert_write_to_each_other_in_the_booking(client, desk, appointment):
    page = client.get(booking_company_path(appointment))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Arbeitgeber-Sprechstunde" in html
    # The socket address the page opens, and the WebSocket allowed by the CSP.
    assert f"/ws/n/feldberg/termine/termin/{appointment.code}/" in html
    assert "ws://testserver" in page["Content-Security-Policy"]
    response = client.post(
        booking_company_path(appointment), {"body": "Soll ich Unterlagen mitbringen?"}
    )
    assert response.status_code == 302
    client.force_login(desk.expert_a)
    page = client.get(booking_staff_path(appointment))
    assert page.status_code == 200
    assert "Soll ich Unterlagen mitbringen?" in page.content.decode()
    assert "1 neue Nachricht" in page.content.decode()
    assert (
        client.post(
            booking_staff_path(appointment), {"body": "Ja, bitte den Lebenslauf."}
        ).status_code
        == 302
    )
    assert messages_of(appointment) == [
        ("company", "Soll ich Unterlagen mitbringen?"),
        ("partner", "Ja, bitte den Lebenslauf."),
    ]
    # The company sees the answer, labelled with the expert's organisation.
    client.logout()
    html = client.get(booking_company_path(appointment)).content.decode()
    assert "Ja, bitte den Lebenslauf." in html
    assert "Partner: Partner Werkraum Feldberg" in html


def test_navigators_and_coordinators_of_the_network_may_chat(client, desk, appointment):
    for user in (desk.navigator, desk.coordinator):
        client.force_login(user)
        assert client.get(booking_staff_path(appointment)).status_code == 200
    client.post(booking_staff_path(appointment), {"body": "Die Koordination grüßt."})
    assert messages_of(appointment) == [("navigator", "Die Koordination grüßt.")]


def test_an_expert_of_the_same_provider_who_does_not_hold_the_hour_may_chat(
    client, desk, appointment
):
    from anlaufstelle.networks.models import Role, User

    with scopes_disabled():
        colleague = User.objects.create_user(
            "kollege@feldberg.example",
            None,
            network=desk.network,
            role=Role.PARTNER_EXPERT,
            provider=desk.partner_a,
        )
    client.force_login(colleague)
    assert client.get(booking_staff_path(appointment)).status_code == 200


@pytest.mark.parametrize("who", ["expert_b", "outsider_navigator"])
def test_staff_who_may_not_see_the_booking_get_404(client, desk, appointment, who):
    client.force_login(getattr(desk, who))
    assert client.get(booking_staff_path(appointment)).status_code == 404
    assert client.post(booking_staff_path(appointment), {"body": "Hallo"}).status_code == 404
    assert client.get(booking_staff_path(appointment, "nachrichten/")).status_code == 404
    assert messages_of(appointment) == []


def test_the_other_networks_site_never_shows_the_booking(client, desk, appointment):
    # Stuttgart's navigator on Stuttgart's site with Feldberg's booking code.
    client.force_login(desk.outsider_navigator)
    path = booking_staff_path(appointment, network="stuttgart")
    assert client.get(path).status_code == 404
    # And the company link under the other network's address.
    token = view_token(appointment)
    assert (
        client.get(f"/n/stuttgart/termine/termin/{appointment.code}/{token}/chat/").status_code
        == 404
    )


def test_anonymous_visitors_of_the_staff_page_go_to_the_login(client, appointment):
    response = client.get(booking_staff_path(appointment))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_wrong_other_purpose_and_other_bookings_tokens_get_404(client, desk, appointment):
    other = book(desk, email="b@example.org")
    for token in (
        "x",
        view_token(other),  # another booking's valid link
        tokens.make_token(appointment, "cancel"),  # this booking, another purpose
        view_token(appointment)[:-2] + "xx",
    ):
        assert client.get(booking_company_path(appointment, token=token)).status_code == 404
        assert (
            client.post(
                booking_company_path(appointment, token=token), {"body": "Hallo"}
            ).status_code
            == 404
        )
    assert messages_of(appointment) == []


def test_an_expired_link_gets_404(client, appointment, settings):
    token = view_token(appointment)
    settings.ANLAUFSTELLE_BOOKING_LINK_MAX_AGE = -1
    assert client.get(booking_company_path(appointment, token=token)).status_code == 404


def test_a_moved_bookings_old_link_no_longer_opens_the_chat(client, desk, appointment):
    old = view_token(appointment)
    with scopes_disabled():
        Booking.objects.filter(pk=appointment.pk).update(
            token_version=appointment.token_version + 1
        )
    response = client.get(booking_company_path(appointment, token=old))
    assert response.status_code == 410  # "this appointment was moved", no chat
    assert "Dieser Termin wurde verschoben" in response.content.decode()
    assert "<textarea" not in response.content.decode()


def test_hostile_input_is_refused_with_4xx(client, desk, appointment):
    path = booking_company_path(appointment)
    assert client.post(path, {"body": "<script>alert(1)</script>"}).status_code == 400
    assert client.post(path, {"body": "x" * 6000}).status_code == 400
    assert client.post(path, {"body": ""}).status_code == 400
    assert client.post(path, {"body": "a\x00b"}).status_code == 400
    assert (
        client.get(booking_company_path(appointment, "datei/../../etc/passwd/")).status_code == 404
    )
    assert client.get(booking_company_path(appointment, "datei/x/")).status_code == 404
    assert messages_of(appointment) == []


def test_files_go_both_ways_with_type_and_size_limits(client, desk, appointment, settings):
    path = booking_company_path(appointment)
    upload = SimpleUploadedFile("Angebot.pdf", PDF, content_type="application/pdf")
    assert client.post(path, {"body": "", "datei": upload}).status_code == 302
    with scopes_disabled():
        attachment = Attachment.objects.get(booking_message__booking=appointment)
    assert attachment.message_id is None
    download = client.get(booking_company_path(appointment, f"datei/{attachment.code}/"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == PDF
    # The expert downloads it too; the expert of another provider does not.
    client.force_login(desk.expert_a)
    assert (
        client.get(booking_staff_path(appointment, f"datei/{attachment.code}/")).status_code == 200
    )
    client.force_login(desk.expert_b)
    assert (
        client.get(booking_staff_path(appointment, f"datei/{attachment.code}/")).status_code == 404
    )
    client.logout()
    fake = SimpleUploadedFile("Angebot.pdf", b"<html>no pdf</html>", content_type="application/pdf")
    response = client.post(path, {"body": "", "datei": fake})
    assert response.status_code == 415
    assert "Dateityp" in response.content.decode()
    settings.CHAT_ATTACHMENT_MAX_BYTES = 10
    big = SimpleUploadedFile("Angebot.pdf", PDF, content_type="application/pdf")
    assert client.post(path, {"body": "", "datei": big}).status_code == 413
    with scopes_disabled():
        assert Attachment.objects.count() == 1


def test_a_concerns_file_is_not_reachable_through_a_booking(client, desk, appointment, concern):
    from anlaufstelle.cases.models import Message

    with scopes_disabled():
        message = Message.objects.create(
            network=desk.network, concern=concern, sender="company", body="Mit Datei"
        )
        attachment = Attachment.objects.create(
            network=desk.network,
            message=message,
            name="a.pdf",
            content_type="application/pdf",
            size=3,
        )
    assert (
        client.get(booking_company_path(appointment, f"datei/{attachment.code}/")).status_code
        == 404
    )


def test_read_marks_and_unread_counts_on_the_calendar_and_the_booking_page(
    client, desk, appointment
):
    client.post(booking_company_path(appointment), {"body": "Erste Frage"})
    client.post(booking_company_path(appointment), {"body": "Zweite Frage"})
    with network_scope(desk.network):
        staff = booking_staff_party(desk.network, desk.expert_a, appointment.code)
        assert services.unread_count(staff) == 2
    client.force_login(desk.expert_a)
    day = timezone.localtime(appointment.slot.starts_at).date().isoformat()
    calendar = client.get(f"/n/feldberg/termine/kalender/?tag={day}&ansicht=tag").content.decode()
    assert "2 ungelesene Nachrichten" in calendar
    assert booking_staff_path(appointment) in calendar
    client.get(booking_staff_path(appointment))
    calendar = client.get(f"/n/feldberg/termine/kalender/?tag={day}&ansicht=tag").content.decode()
    assert "ungelesene Nachricht" not in calendar
    with network_scope(desk.network):
        assert services.unread_count(staff) == 0
        company = booking_company_party(desk.network, appointment.code, view_token(appointment))
        # The company sees its messages as read by the expert's side.
        assert services.read_by_other_side(company) == max(
            m.pk for m in BookingMessage.objects.all()
        )
    client.post(booking_staff_path(appointment), {"body": "Antwort"})
    client.logout()
    # One token for the page and the expected link (a token made a second later differs).
    token = view_token(appointment)
    view = client.get(f"/n/feldberg/termine/termin/{appointment.code}/{token}/")
    html = view.content.decode()
    assert "1 ungelesene Nachricht" in html
    assert booking_company_path(appointment, token=token) in html
    client.get(booking_company_path(appointment))
    view = client.get(f"/n/feldberg/termine/termin/{appointment.code}/{view_token(appointment)}/")
    assert "ungelesene Nachricht" not in view.content.decode()


def test_the_staff_overview_lists_bookings_with_unread_messages(client, desk, appointment):
    client.post(booking_company_path(appointment), {"body": "Frage zum Termin"})
    overview = "/n/feldberg/anliegen/lotsen/chats/ungelesen/"
    client.force_login(desk.expert_a)
    page = client.get(overview).content.decode()
    assert booking_staff_path(appointment) in page
    assert "1 ungelesen" in page
    # The expert of another provider does not see it; after reading, it is gone.
    client.force_login(desk.expert_b)
    assert booking_staff_path(appointment) not in client.get(overview).content.decode()
    client.force_login(desk.navigator)
    assert booking_staff_path(appointment) in client.get(overview).content.decode()
    client.get(booking_staff_path(appointment))
    assert booking_staff_path(appointment) not in client.get(overview).content.decode()


def test_the_calendar_counts_unread_messages_in_a_constant_number_of_queries(client, desk):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # One consultation hour with room for many (the calendar's booking form lists each
    # hour's free slots: more hours would cost more queries for a reason of their own).
    first = book(desk, email="firma0@example.org")
    schedule = first.slot.schedule
    bookings = [first, book(desk, email="firma1@example.org", schedule=schedule)]
    for booking in bookings:
        client.post(booking_company_path(booking), {"body": "Frage"})
    client.force_login(desk.expert_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/n/feldberg/termine/kalender/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    more = [book(desk, email=f"firma{i}@example.org", schedule=schedule) for i in range(2, 6)]
    for booking in more:
        client.logout()
        client.post(booking_company_path(booking), {"body": "Frage"})
    client.force_login(desk.expert_a)
    assert count() == few


def test_the_other_side_gets_an_email_only_when_offline(
    client, desk, appointment, django_capture_on_commit_callbacks
):
    mails = mails_when_offline(
        client,
        django_capture_on_commit_callbacks,
        company=booking_company_path(appointment),
        staff=booking_staff_path(appointment),
        group=group_name("booking", appointment.pk),
        staff_user=desk.expert_a,
    )
    assert [m.to for m in mails] == [[desk.expert_a.email], ["anja@hotel-am-see.example"]]
    # No message text in the e-mail, only the link to the chat.
    assert "Niemand ist online" not in mails[0].body
    assert booking_staff_path(appointment) in mails[0].body
    assert f"/termine/termin/{appointment.code}/" in mails[1].body


def test_flooding_is_refused_with_429(client, appointment, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {**settings.ANLAUFSTELLE_RATE_LIMITS, "chat": "3/m"}
    codes = [
        client.post(booking_company_path(appointment), {"body": f"Nachricht {i}"}).status_code
        for i in range(5)
    ]
    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]


def _chat_with_file(client, desk, booking) -> str:
    upload = SimpleUploadedFile("Lebenslauf.pdf", PDF, content_type="application/pdf")
    client.post(booking_company_path(booking), {"body": "Mit Datei", "datei": upload})
    client.force_login(desk.expert_a)
    client.get(booking_staff_path(booking))
    client.post(booking_staff_path(booking), {"body": "Danke"})
    client.logout()
    with scopes_disabled():
        return Attachment.objects.get(booking_message__booking=booking).file.path


def test_the_bookings_data_export_contains_its_chat(client, desk, appointment):
    _chat_with_file(client, desk, appointment)
    with scopes_disabled():
        data = privacy.export_booking(Booking.objects.get(pk=appointment.pk))
    assert [(m["sender"], m["body"], m["file"]) for m in data["chat_messages"]] == [
        ("company", "Mit Datei", "Lebenslauf.pdf"),
        ("partner", "Danke", None),
    ]
    assert data["code"] == appointment.code


def test_erasing_the_booking_deletes_its_messages_files_and_read_marks(
    client, desk, appointment, django_capture_on_commit_callbacks
):
    import os

    other = book(desk, email="b@example.org")
    client.post(booking_company_path(other), {"body": "Bleibt"})
    path = _chat_with_file(client, desk, appointment)
    assert os.path.exists(path)
    with django_capture_on_commit_callbacks(execute=True), network_scope(desk.network):
        assert privacy.erase_booking(booking=appointment)
    assert messages_of(appointment) == []
    with scopes_disabled():
        assert not Attachment.objects.filter(booking_message__booking=appointment).exists()
        assert not Attachment.objects.exists()
        assert not ReadMark.objects.filter(booking=appointment).exists()
    assert not os.path.exists(path)
    # The other booking's chat is untouched; the erased one's pages are gone.
    assert messages_of(other) == [("company", "Bleibt")]
    assert client.get(booking_company_path(appointment)).status_code == 404
    client.force_login(desk.navigator)
    assert client.get(booking_staff_path(appointment)).status_code == 404


def test_retention_erases_the_chat_of_old_bookings(
    client, desk, appointment, django_capture_on_commit_callbacks
):
    import os

    path = _chat_with_file(client, desk, appointment)
    later = appointment.slot.ends_at + timedelta(days=privacy.DEFAULT_RETENTION_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert privacy.apply_retention(now=later) == (1, 0)
    assert messages_of(appointment) == []
    with scopes_disabled():
        assert not Attachment.objects.exists()
        assert not ReadMark.objects.exists()
    assert not os.path.exists(path)


def test_erasing_the_concern_the_booking_was_made_from_erases_the_booking_chat(
    client, desk, concern, django_capture_on_commit_callbacks
):
    from anlaufstelle.cases import services as case_services

    booking = book(desk)
    with scopes_disabled():
        Booking.objects.filter(pk=booking.pk).update(origin=privacy.concern_origin(concern.code))
    client.post(booking_company_path(booking), {"body": "Aus dem Anliegen gebucht"})
    with django_capture_on_commit_callbacks(execute=True), network_scope(desk.network):
        case_services.erase(concern=concern)
    assert messages_of(booking) == []
