"""The direct chat's pages: one thread with the concern, both sides, permissions, files."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scopes_disabled

from anlaufstelle.cases import services as case_services
from anlaufstelle.cases.models import Message
from anlaufstelle.chat import services
from anlaufstelle.chat.models import Attachment, ReadMark
from anlaufstelle.chat.threads import group_name

from .conftest import company_path, refer_to, staff_path

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_company_writes_in_the_chat_and_it_is_the_concerns_message(client, concern):
    response = client.post(company_path(concern), {"body": "Guten Tag, wann passt es?"})
    assert response.status_code == 302
    with scopes_disabled():
        message = Message.objects.get(concern=concern)
    assert message.body == "Guten Tag, wann passt es?"
    assert message.sender == "company"
    # The status page shows the same message: one thread.
    status = client.get(
        f"/n/feldberg/anliegen/status/{concern.code}/{company_path(concern).split('/')[6]}/"
    )
    assert "Guten Tag, wann passt es?" in status.content.decode()


def test_the_navigator_sees_the_thread_and_answers(client, desk, concern):
    client.post(company_path(concern), {"body": "Frage vom Betrieb"})
    client.force_login(desk.navigator)
    page = client.get(staff_path(concern))
    assert page.status_code == 200
    assert "Frage vom Betrieb" in page.content.decode()
    assert "1 neue Nachricht" in page.content.decode()
    response = client.post(staff_path(concern), {"body": "Antwort der Lotsin"})
    assert response.status_code == 302
    with scopes_disabled():
        assert list(Message.objects.filter(concern=concern).values_list("sender", flat=True)) == [
            "company",
            "navigator",
        ]


def test_a_partner_expert_of_a_referred_partner_may_chat_another_gets_404(client, desk, concern):
    refer_to(desk, concern, desk.partner_a)
    client.force_login(desk.expert_a)
    assert client.get(staff_path(concern)).status_code == 200
    client.post(staff_path(concern), {"body": "Hier schreibt der Partner"})
    with scopes_disabled():
        assert Message.objects.get(concern=concern).sender == "partner"
    client.force_login(desk.expert_b)
    assert client.get(staff_path(concern)).status_code == 404
    assert client.post(staff_path(concern), {"body": "Eindringling"}).status_code == 404


def test_the_outsider_from_another_network_gets_404_everywhere(client, desk, concern):
    client.force_login(desk.outsider_navigator)
    for path in (staff_path(concern), staff_path(concern, "nachrichten/")):
        assert client.get(path).status_code == 404
    assert client.post(staff_path(concern), {"body": "Hallo"}).status_code == 404
    # Through the other network's address too.
    other = staff_path(concern).replace("/n/feldberg/", "/n/stuttgart/")
    assert client.get(other).status_code == 404


def test_a_wrong_or_foreign_token_is_404(client, desk, concern):
    bad = company_path(concern).replace(concern.code + "/", concern.code + "/x")
    assert client.get(bad).status_code == 404
    from .conftest import submit

    second = submit(desk.network, email="zweiter@example.org", idempotency_key=None)
    swapped = company_path(second).replace(second.code, concern.code)
    assert client.get(swapped).status_code == 404


def test_anonymous_visitors_are_sent_to_login_for_the_staff_chat(client, concern):
    response = client.get(staff_path(concern))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_message_text_is_escaped(client, desk, concern):
    # Tags are refused with a clear message; anything else that looks odd is escaped.
    refused = client.post(company_path(concern), {"body": "<script>alert(1)</script>"})
    assert refused.status_code == 400
    assert "ohne HTML" in refused.content.decode()
    client.post(company_path(concern), {"body": 'a & b " < 3 >'})
    page = client.get(company_path(concern)).content.decode()
    assert "a &amp; b &quot; &lt; 3 &gt;" in page


def test_read_marks_and_unread_counts(client, desk, concern):
    from anlaufstelle.chat.access import company_party, staff_party

    client.post(company_path(concern), {"body": "Eins"})
    client.post(company_path(concern), {"body": "Zwei"})
    staff = staff_party(desk.network, desk.navigator, concern.code)
    with scopes_disabled():
        assert services.unread_count(staff) == 2
    client.force_login(desk.navigator)
    client.get(staff_path(concern, "nachrichten/"))
    with scopes_disabled():
        assert services.unread_count(staff) == 0
        company = company_party(desk.network, concern.code, company_path(concern).split("/")[6])
        assert (
            services.read_by_other_side(company)
            == Message.objects.filter(concern=concern).order_by("-pk").first().pk
        )
    # The company's own page says its messages were read.
    assert "gelesen" in client.get(company_path(concern)).content.decode()


def test_the_overview_lists_chats_with_unread_messages(client, desk, concern):
    client.post(company_path(concern), {"body": "Bitte melden"})
    client.force_login(desk.navigator)
    page = client.get("/n/feldberg/anliegen/lotsen/chats/ungelesen/")
    assert page.status_code == 200
    assert concern.code in page.content.decode()
    assert "1 ungelesen" in page.content.decode()


# --- files -----------------------------------------------------------------------------


def test_a_pdf_is_attached_and_served_only_as_a_download(client, desk, concern):
    upload = SimpleUploadedFile("../../Angebot <1>.pdf", PDF, content_type="text/html")
    response = client.post(company_path(concern), {"body": "", "datei": upload})
    assert response.status_code == 302
    with scopes_disabled():
        attachment = Attachment.objects.get(message__concern=concern)
    assert attachment.name == "Angebot 1.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name == f"chat/{concern.network_id}/{attachment.code}"
    download = client.get(company_path(concern, f"datei/{attachment.code}/"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.content == PDF
    client.force_login(desk.navigator)
    staff_download = client.get(staff_path(concern, f"datei/{attachment.code}/"))
    assert staff_download.status_code == 200
    client.force_login(desk.outsider_navigator)
    assert client.get(staff_path(concern, f"datei/{attachment.code}/")).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("seite.html", b"<html><script>alert(1)</script></html>"),
        ("bild.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("programm.exe", b"MZ\x90\x00"),
        ("getarnt.pdf", b"<html>kein pdf</html>"),
        ("binaer.txt", b"\x00\x01\x02\xff\xfe"),
    ],
)
def test_files_of_the_wrong_type_are_refused_with_a_clear_message(client, concern, name, content):
    upload = SimpleUploadedFile(name, content)
    response = client.post(company_path(concern), {"body": "Datei", "datei": upload})
    assert response.status_code == 415
    assert "Dieser Dateityp ist nicht erlaubt" in response.content.decode()
    with scopes_disabled():
        assert not Message.objects.filter(concern=concern).exists()
        assert not Attachment.objects.exists()


def test_a_file_too_large_is_refused_with_a_clear_message(client, concern, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("gross.pdf", PDF + b"0" * 2048)
    response = client.post(company_path(concern), {"body": "Datei", "datei": upload})
    assert response.status_code == 413
    assert "Die Datei ist zu groß" in response.content.decode()
    with scopes_disabled():
        assert not Attachment.objects.exists()


# --- erasure, e-mail, flooding ---------------------------------------------------------


def test_erasing_the_concern_erases_the_chat_and_its_files(
    client, desk, concern, django_capture_on_commit_callbacks
):
    client.post(
        company_path(concern), {"body": "Mit Datei", "datei": SimpleUploadedFile("a.pdf", PDF)}
    )
    with scopes_disabled():
        attachment = Attachment.objects.get()
    path = attachment.file.path
    import os

    assert os.path.exists(path)
    chat_url = company_path(concern)
    with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
        case_services.erase(concern=concern)
    assert not os.path.exists(path)
    with scopes_disabled():
        assert not Attachment.objects.exists()
        assert not ReadMark.objects.filter(concern=concern).exists()
        assert set(Message.objects.filter(concern=concern).values_list("body", flat=True)) == {
            "[gelöscht]"
        }
    assert client.get(chat_url).status_code == 404


def test_retention_erases_the_chat_too(client, desk, concern, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from anlaufstelle.cases.models import Concern

    client.post(company_path(concern), {"body": "Alt", "datei": SimpleUploadedFile("a.pdf", PDF)})
    with scopes_disabled():
        Concern.objects.filter(pk=concern.pk).update(
            status="done", closed_at=timezone.now() - timedelta(days=800)
        )
        path = Attachment.objects.get().file.path
        with django_capture_on_commit_callbacks(execute=True):
            assert case_services.apply_retention() == 1
        assert not Attachment.objects.exists()
    import os

    assert not os.path.exists(path)
    with scopes_disabled():
        assert Message.objects.get(concern=concern).body == "[gelöscht]"


def mails_when_offline(
    client, capture, *, company: str, staff: str, group: str, staff_user
) -> list:
    """The company writes with nobody online, then with the staff side online; then staff
    answer with the company away: the e-mails sent (two when only the offline ones are)."""
    mail.outbox.clear()
    with capture(execute=True):
        client.post(company, {"body": "Niemand ist online"})
    services.mark_online(group, "staff")
    with capture(execute=True):
        client.post(company, {"body": "Die andere Seite ist online"})
    client.force_login(staff_user)
    with capture(execute=True):
        client.post(staff, {"body": "Antwort per E-Mail"})
    return list(mail.outbox)


def test_the_other_side_gets_an_email_only_when_offline(
    client, desk, concern, django_capture_on_commit_callbacks
):
    mails = mails_when_offline(
        client,
        django_capture_on_commit_callbacks,
        company=company_path(concern),
        staff=staff_path(concern),
        group=group_name("concern", concern.pk),
        staff_user=desk.navigator,
    )
    assert len(mails) == 2
    assert "Niemand ist online" in mails[0].body
    # The company is offline: the navigator's answer reaches it by e-mail.
    assert mails[1].to == ["anja@hotel-am-see.example"]


def test_flooding_is_refused_with_429(client, concern, settings):
    settings.ANLAUFSTELLE_RATE_LIMITS = {**settings.ANLAUFSTELLE_RATE_LIMITS, "chat": "3/m"}
    codes = [
        client.post(company_path(concern), {"body": f"Nachricht {i}"}).status_code for i in range(5)
    ]
    assert codes[:3] == [302, 302, 302]
    assert codes[3:] == [429, 429]
    with scopes_disabled():
        assert Message.objects.filter(concern=concern).count() == 3


def test_an_empty_message_is_400(client, concern):
    assert client.post(company_path(concern), {"body": "   "}).status_code == 400


def test_the_polling_fragment_is_the_thread_alone(client, concern):
    client.post(company_path(concern), {"body": "Fragment"})
    fragment = client.get(company_path(concern, "nachrichten/"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "Fragment" in body
    assert "<html" not in body


def test_the_chat_page_may_open_a_socket_to_its_own_host_only(client, concern):
    response = client.get(company_path(concern))
    policy = response["Content-Security-Policy"]
    assert "connect-src 'self' ws://testserver wss://testserver" in policy
    # Other pages keep the strict policy.
    assert "connect-src 'self';" in client.get("/n/feldberg/")["Content-Security-Policy"]


def test_every_side_finds_the_chat_from_its_concern_page(client, desk, concern):
    status_path = company_path(concern).removesuffix("chat/")
    status = client.get(status_path)
    # The link is the page's own path plus "chat/" (the signed token is in the path).
    assert f'href="{status_path}chat/"' in status.content.decode()
    client.force_login(desk.navigator)
    page = client.get(staff_path(concern).removesuffix("chat/"))
    assert f'href="{staff_path(concern)}"' in page.content.decode()
    refer_to(desk, concern, desk.partner_a)
    client.force_login(desk.expert_a)
    partner_page = f"/n/feldberg/anliegen/partner/{concern.code}/"
    assert f'href="{partner_page}chat/"' in client.get(partner_page).content.decode()
    assert client.get(f"{partner_page}chat/").status_code == 200
    client.force_login(desk.expert_b)
    assert client.get(f"{partner_page}chat/").status_code == 404
