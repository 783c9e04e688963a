"""Membership: join by magic link, approval by a navigator, staff with their role."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.community.models import MagicLink, Member, MemberStatus

from .conftest import link_in, member_client

pytestmark = pytest.mark.django_db

JOIN = "/n/feldberg/austausch/mitmachen/"


def join(client: Client, email: str = "clara@baeckerei.example") -> None:
    response = client.post(
        JOIN,
        {
            "email": email,
            "display_name": "Clara Sommer",
            "company": "Bäckerei Sommer",
            "branche": "Handwerk",
            "gemeinde": "Feldberg",
            "consent": "on",
        },
    )
    assert response.status_code == 200
    assert "Bitte sehen Sie in Ihr E-Mail-Postfach" in response.content.decode()


def test_a_company_person_joins_by_magic_link_and_waits_for_approval(forum, mailoutbox):
    client = Client()
    join(client)
    assert len(mailoutbox) == 1
    link = link_in(mailoutbox[0])
    with scopes_disabled():
        member = Member.objects.get(email="clara@baeckerei.example")
        assert member.status == MemberStatus.PENDING and member.email_verified_at is None
        # Only the token's hash is stored.
        stored = MagicLink.objects.get(member=member)
        assert stored.token_hash not in link and link.split("/")[-2] not in stored.token_hash
    # GET only shows the button: a mail scanner following the link spends nothing.
    assert client.get(link).status_code == 200
    response = client.post(link)
    assert response.status_code == 302
    page = client.get("/n/feldberg/austausch/")
    assert "Ihre Mitgliedschaft wird geprüft" in page.content.decode()
    with scopes_disabled():
        member.refresh_from_db()
        assert member.email_verified_at is not None


def test_the_link_works_once(forum, mailoutbox):
    client = Client()
    join(client)
    link = link_in(mailoutbox[0])
    assert client.post(link).status_code == 302
    again = Client()
    assert again.post(link).status_code == 400
    assert again.get(link).status_code == 400


def test_the_link_expires(forum, mailoutbox):
    join(Client())
    link = link_in(mailoutbox[0])
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert Client().post(link).status_code == 400


def test_a_forged_or_foreign_link_is_refused(forum, stuttgart_forum, mailoutbox):
    join(Client())
    link = link_in(mailoutbox[0])
    assert Client().post(link.replace("/feldberg/", "/stuttgart/")).status_code == 400
    assert Client().post("/n/feldberg/austausch/anmelden/abc/").status_code == 400


def test_the_answer_does_not_tell_whether_an_address_is_a_member(forum, mailoutbox):
    known = Client().post("/n/feldberg/austausch/anmelden/", {"email": forum.anja.email})
    unknown = Client().post("/n/feldberg/austausch/anmelden/", {"email": "niemand@x.example"})
    assert known.status_code == unknown.status_code == 200

    def page(response, email):
        text = response.content.decode().replace(email, "X")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page(known, forum.anja.email) == page(unknown, "niemand@x.example")
    assert [m.to for m in mailoutbox] == [[forum.anja.email]]


def test_joining_again_with_a_known_address_changes_nothing(forum, mailoutbox):
    client = Client()
    client.post(
        JOIN,
        {"email": forum.anja.email, "display_name": "Fremde Person", "consent": "on"},
    )
    with scopes_disabled():
        forum.anja.refresh_from_db()
    assert forum.anja.display_name == "Anja Berger"
    assert len(mailoutbox) == 1


def test_at_most_three_links_per_hour_go_to_one_address(forum, mailoutbox):
    for _ in range(5):
        Client().post("/n/feldberg/austausch/anmelden/", {"email": forum.anja.email})
    assert len(mailoutbox) == 3


def test_the_token_never_reaches_the_log(forum, mailoutbox, caplog):
    from anlaufstelle.lib.log_redaction import redact_tokens

    join(Client())
    link = link_in(mailoutbox[0])
    token = link.split("/")[-2]
    assert token not in redact_tokens(f"GET {link} 200")
    with caplog.at_level(logging.DEBUG):
        Client().post(link)
    assert all(token not in redact_tokens(r.getMessage()) for r in caplog.records)


def test_without_required_approval_a_member_takes_part_at_once(forum, mailoutbox):
    from anlaufstelle.community.models import CommunitySettings

    with scopes_disabled():
        CommunitySettings.objects.filter(network=forum.network).update(require_approval=False)
    client = Client()
    join(client)
    client.post(link_in(mailoutbox[0]))
    assert "Thema eröffnen" in client.get("/n/feldberg/austausch/").content.decode()


def test_a_navigator_approves_a_new_member(forum, personas, mailoutbox):
    join(Client())
    with scopes_disabled():
        member = Member.objects.get(email="clara@baeckerei.example")
    navigator = Client()
    navigator.force_login(personas.feldberg.navigator)
    page = navigator.get("/n/feldberg/austausch/verwaltung/mitglieder/")
    assert page.status_code == 200 and "Clara Sommer" in page.content.decode()
    response = navigator.post(
        f"/n/feldberg/austausch/verwaltung/mitglieder/{member.code}/freigeben/"
    )
    assert response.status_code == 302
    with scopes_disabled():
        member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE
    assert mailoutbox[-1].to == [member.email]
    assert "Willkommen" in mailoutbox[-1].subject


def test_the_approval_list_is_for_navigators_of_this_network_only(forum, personas):
    for user in (personas.feldberg.partner_expert, personas.stuttgart.navigator):
        client = Client()
        client.force_login(user)
        assert client.get("/n/feldberg/austausch/verwaltung/mitglieder/").status_code == 404
    # A company member is not staff: the staff guard sends them to the staff sign-in.
    response = member_client(forum.anja).get("/n/feldberg/austausch/verwaltung/mitglieder/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_take_part_with_their_role_shown(forum, personas):
    from .conftest import start

    navigator = Client()
    navigator.force_login(personas.feldberg.navigator)
    thread = start(forum)
    response = navigator.post(
        f"/n/feldberg/austausch/thema/{thread.code}/antworten/",
        {"body": "Die Arbeitsagentur hat dafür einen Arbeitgeberservice."},
    )
    assert response.status_code == 302
    page = member_client(forum.anja).get(f"/n/feldberg/austausch/thema/{thread.code}/")
    assert "Lotsin/Lotse" in page.content.decode() or "Lots" in page.content.decode()


def test_the_member_links_earlier_concerns_only_with_the_verified_address(forum, personas):
    from anlaufstelle.cases import services as case_services
    from anlaufstelle.networks.scoping import network_scope

    def concern(email: str, text: str) -> None:
        with network_scope(forum.network):
            case_services.submit_concern(
                network=forum.network, text=text, contact_name="Anja", company_name="Hotel",
                email=email, phone="", wz_section="I", size_class="10-49",
                municipality="Feldberg", postcode="17258", urgency="normal", consent=True,
                share_consent=False, idempotency_key=text, language="de",
            )  # fmt: skip

    concern(forum.anja.email, "Wir suchen einen Koch.")
    concern("jemand@anders.example", "Fremdes Anliegen.")
    client = member_client(forum.anja)
    page = client.get("/n/feldberg/austausch/profil/").content.decode()
    assert "Wir suchen einen Koch." in page and "Fremdes Anliegen." not in page
    # Nothing is linked until the member confirms.
    from anlaufstelle.community.models import LinkedRecord

    with scopes_disabled():
        assert not LinkedRecord.objects.exists()
    client.post("/n/feldberg/austausch/profil/verknuepfen/")
    with scopes_disabled():
        assert list(LinkedRecord.objects.values_list("kind", flat=True)) == ["concern"]
    # An unverified address is offered nothing.
    with scopes_disabled():
        Member.objects.filter(pk=forum.anja.pk).update(email_verified_at=None)
        LinkedRecord.objects.all().delete()
    page = client.get("/n/feldberg/austausch/profil/").content.decode()
    assert "Wir suchen einen Koch." not in page


def test_a_member_edits_the_profile_and_digest(forum):
    client = member_client(forum.anja)
    response = client.post(
        "/n/feldberg/austausch/profil/",
        {
            "display_name": "Anja B.",
            "company": "Hotel",
            "branche": "Gastgewerbe",
            "gemeinde": "Feldberg",
            "digest": "weekly",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        forum.anja.refresh_from_db()
    assert forum.anja.digest == "weekly" and forum.anja.display_name == "Anja B."


def test_signing_out_ends_the_membership_session(forum):
    client = member_client(forum.anja)
    assert client.get("/n/feldberg/austausch/").status_code == 200
    client.post("/n/feldberg/austausch/abmelden/")
    assert client.get("/n/feldberg/austausch/").status_code == 302


def test_staff_without_their_second_factor_are_sent_to_set_it_up(forum, personas, settings):
    settings.ANLAUFSTELLE_REQUIRE_MFA = True
    client = Client()
    client.force_login(personas.feldberg.navigator)
    response = client.get("/n/feldberg/austausch/")
    assert response.status_code == 302 and "totp" in response["Location"]


def test_the_sign_in_link_leads_back_to_the_page_the_visitor_wanted(forum, mailoutbox):
    # A notification e-mail links a thread; signed out, the visitor signs in by link and
    # lands on that thread, not on the thread list.
    from .conftest import start

    thread = start(forum)
    wanted = f"/n/feldberg/austausch/thema/{thread.code}/"
    client = Client()
    response = client.get(wanted)
    assert response.status_code == 302 and response["Location"].endswith(f"?next={wanted}")
    client.post("/n/feldberg/austausch/anmelden/", {"email": forum.anja.email, "next": wanted})
    response = client.post(link_in(mailoutbox[-1]))
    assert response.status_code == 302 and response["Location"] == wanted
    assert client.get(wanted).status_code == 200


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/n/feldberg/austausch/",
        "/n/feldberg/austausch//evil.example",
        "/n/region-stuttgart/austausch/",
        "/n/feldberg/austausch/\r\nSet-Cookie: x=1",
        "/n/feldberg/austausch/\\evil",
    ],
)
def test_a_foreign_or_odd_target_leads_to_the_thread_list(forum, mailoutbox, target):
    client = Client()
    client.post("/n/feldberg/austausch/anmelden/", {"email": forum.anja.email, "next": target})
    response = client.post(link_in(mailoutbox[-1]))
    assert response.status_code == 302
    location = response["Location"]
    assert location == "/n/feldberg/austausch/"
    assert "evil" not in location and "x" not in response.cookies


def test_joining_without_the_consent_says_what_is_missing_and_keeps_the_input(forum):
    response = Client().post(
        JOIN, {"email": "clara@baeckerei.example", "display_name": "Clara Sommer"}
    )
    page = response.content.decode()
    assert "Bitte bestätigen Sie, dass Sie die Regeln des Austauschs" in page
    assert 'value="clara@baeckerei.example"' in page and 'value="Clara Sommer"' in page
