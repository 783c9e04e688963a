"""The navigators' inbox: tabs, filters, search, htmx fragment, constant query count;
the coordinator's settings in the back office."""

from __future__ import annotations

from anlaufstelle.cases import services
from anlaufstelle.networks.scoping import network_scope

from .conftest import site, submit


def test_the_tabs_sort_concerns_by_state(client, desk):
    new = submit(desk.network, text="Neues Anliegen zur Ausbildung im Betrieb")
    mine = submit(desk.network, email="b@example.org", text="Anliegen, das ich bearbeite")
    waiting = submit(
        desk.network, email="c@example.org", text="Anliegen mit Rückfrage an den Betrieb"
    )
    with network_scope(desk.network):
        services.assign(concern=mine, to=desk.navigator, by=desk.navigator)
        services.ask_company(concern=waiting, question="Wie viele Stellen?", by=desk.coordinator)
    client.force_login(desk.navigator)
    tabs = {
        tab: client.get(site(f"lotsen/?ansicht={tab}")).content.decode()
        for tab in ("neu", "meine", "unternehmen")
    }
    assert new.code in tabs["neu"] and mine.code not in tabs["neu"]
    assert mine.code in tabs["meine"] and waiting.code not in tabs["meine"]
    assert waiting.code in tabs["unternehmen"]
    assert "Mir zugewiesen (1)" in tabs["neu"]


def test_search_and_filters_narrow_the_inbox(client, desk):
    koch = submit(desk.network, text="Wir suchen einen Koch für die Saison", urgency="urgent")
    pflege = submit(
        desk.network,
        email="p@example.org",
        text="Pflegekräfte aus dem Ausland",
        wz_section="Q",
        urgency="normal",
    )
    client.force_login(desk.navigator)
    found = client.get(site("lotsen/?q=koch")).content.decode()
    assert koch.code in found and pflege.code not in found
    urgent = client.get(site("lotsen/?dringlichkeit=urgent")).content.decode()
    assert koch.code in urgent and pflege.code not in urgent
    care = client.get(site("lotsen/?branche=Q")).content.decode()
    assert pflege.code in care and koch.code not in care


def test_htmx_gets_the_list_fragment_and_a_browser_the_page(client, desk, concern):
    client.force_login(desk.navigator)
    page = client.get(site("lotsen/"))
    fragment = client.get(site("lotsen/"), headers={"HX-Request": "true"})
    assert "<html" in page.content.decode()
    assert "<html" not in fragment.content.decode() and concern.code in fragment.content.decode()
    assert "HX-Request" in fragment["Vary"]


def test_the_inbox_needs_the_same_queries_for_more_concerns(
    client, desk, django_assert_max_num_queries
):
    client.force_login(desk.navigator)
    submit(desk.network)
    client.get(site("lotsen/"))  # warm up (session, settings)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(site("lotsen/"))
    for i in range(6):
        with network_scope(desk.network):
            concern = submit(desk.network, email=f"f{i}@example.org")
            services.assign(concern=concern, to=desk.navigator, by=desk.navigator)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(site("lotsen/?ansicht=meine"))


def test_the_coordinator_edits_the_desk_settings_in_the_back_office(client, desk):
    client.force_login(desk.coordinator)
    url = "/admin/cases/networkcasesettings/add/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "consent_text": "Einwilligung.",
            "share_consent_text": "Weitergabe.",
            "retention_months": "6",
            "untouched_days": "2",
            "notify_email": "",
        },
    )
    assert response.status_code == 302
    assert services.settings_for(desk.network).retention_months == 6
    client.force_login(desk.navigator)
    assert client.get(url).status_code == 403
