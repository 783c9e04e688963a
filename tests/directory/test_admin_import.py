"""The back-office catalog import: check run, confirmed import, templates and tenancy."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from anlaufstelle.directory.admin_import import SESSION_KEY
from anlaufstelle.directory.models import Audience, Contact, Offer, Provider, Topic
from anlaufstelle.networks.models import Network

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/directory/provider/import/"

PROVIDERS_CSV = """id;name;kind;description_de;website
wifoe-feldberg;Wirtschaftsförderung Feldberger Seenlandschaft;wirtschaftsfoerderung;Berät Betriebe.;https://wifoe.example
kreishandwerkerschaft-feldberg;Kreishandwerkerschaft Feldberg;verband;;
"""

OFFERS_CSV = """id,title_de,anlaufstelle,kind,topics,target_groups,summary_de,verified,last_checked
azubi-tour-feldberg,Azubi-Tour durch die Betriebe,wifoe-feldberg,veranstaltung,ausbildung|berufsorientierung,kmu,Schulklassen besuchen Betriebe.,ja,2025-10-01
egz-sprechstunde-feldberg,Sprechstunde Eingliederungszuschuss,persona-bundesagentur,beratung,ausbildung,,Der Arbeitgeber-Service berät vor Ort.,nein,
"""  # noqa: E501

CONTACTS_CSV = """id,anlaufstelle,function,email,topics
wifoe-feldberg-service,wifoe-feldberg,Unternehmensservice,service@wifoe.example,ausbildung
"""

# Three bad rows (lines 3, 4 and 5); line 2 is fine.
BAD_OFFERS_CSV = """id,title_de,anlaufstelle,kind,topics,summary_de,last_checked
gutes-angebot,Gutes Angebot,wifoe-feldberg,beratung,ausbildung,Passt.,2025-10-01
falsche-art,Falsche Art,wifoe-feldberg,sprechstunde,ausbildung,Art gibt es nicht.,
falsches-thema,Falsches Thema,wifoe-feldberg,beratung,raumfahrt,Thema gibt es nicht.,
falsches-datum,Falsches Datum,wifoe-feldberg,beratung,ausbildung,Datum ist deutsch.,01.10.2025
"""


@pytest.fixture
def vocabulary(personas: Any) -> None:
    """The shared topics and audiences the example rows use (normally from the catalog)."""
    Topic.objects.get_or_create(slug="berufsorientierung", defaults={"label_de": "Orientierung"})
    for slug in ("kmu", "handwerk"):
        Audience.objects.get_or_create(slug=slug, defaults={"label_de": slug})


def staff_client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(name: str, text: str | bytes) -> SimpleUploadedFile:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def rows_of(network: Any) -> dict[str, set[str]]:
    with scopes_disabled():
        return {
            "providers": set(
                Provider.objects.filter(network=network).values_list("slug", flat=True)
            ),
            "contacts": set(Contact.objects.filter(network=network).values_list("slug", flat=True)),
            "offers": set(Offer.objects.filter(network=network).values_list("slug", flat=True)),
        }


def everything() -> dict[str, list[Any]]:
    with scopes_disabled():
        return {
            "networks": sorted(Network.objects.values_list("slug", "name")),
            "topics": sorted(Topic.objects.values_list("slug", flat=True)),
            "providers": sorted(
                Provider.objects.values_list("network__slug", "slug", "updated_at")
            ),
            "contacts": sorted(
                Contact.objects.values_list("network__slug", "slug", "function", "email")
            ),
            "offers": sorted(Offer.objects.values_list("network__slug", "slug", "updated_at")),
        }


def check(client: Client, **files: Any) -> Any:
    return client.post(IMPORT_URL, files)


def counts(response: Any) -> dict[str, tuple[int, int, int]]:
    return {
        str(row["label"]): (row["created"], row["updated"], row["unchanged"])
        for row in response.context["counts"]
    }


def test_a_coordinator_checks_her_csv_files_and_then_imports_them(
    personas: Any, coordinator: Any, vocabulary: None
) -> None:
    client = staff_client(coordinator)
    before = everything()

    response = check(
        client,
        providers=upload("Anbieter.csv", PROVIDERS_CSV),
        contacts=upload("Kontakte.csv", CONTACTS_CSV),
        offers=upload("Angebote.csv", OFFERS_CSV),
    )

    assert response.status_code == 200
    assert response.context["report"].ok
    assert counts(response) == {
        "Anlaufstellen": (2, 0, 0),
        "Ansprechpersonen": (1, 0, 0),
        "Angebote": (2, 0, 0),
    }
    page = response.content.decode()
    assert "Import ausführen" in page
    assert "Anbieter.csv" in page
    # The check run writes nothing.
    assert everything() == before

    response = client.post(IMPORT_URL, {"token": response.context["token"]})

    assert response.status_code == 302
    feldberg = personas.feldberg.network
    assert rows_of(feldberg) == {
        "providers": {
            "persona-partner-feldberg",
            "wifoe-feldberg",
            "kreishandwerkerschaft-feldberg",
        },
        "contacts": {"persona-kontakt-feldberg", "wifoe-feldberg-service"},
        "offers": {
            "persona-angebot-feldberg",
            "persona-entwurf-feldberg",
            "azubi-tour-feldberg",
            "egz-sprechstunde-feldberg",
        },
    }
    with scopes_disabled():
        sprechstunde = Offer.objects.get(slug="egz-sprechstunde-feldberg")
        # Her offer may name a provider of the nationwide pool, which stays untouched.
        assert sprechstunde.provider == personas.bund_provider
    message = [str(m) for m in get_messages(response.wsgi_request)]
    assert message == [
        "Import in Werkraum Feldberg abgeschlossen: 5 neu, 0 geändert, 0 unverändert."
    ]
    assert SESSION_KEY not in client.session

    # The same files again: everything unchanged.
    again = check(
        client,
        providers=upload("Anbieter.csv", PROVIDERS_CSV),
        offers=upload("Angebote.csv", OFFERS_CSV),
    )
    assert counts(again)["Angebote"] == (0, 0, 2)
    assert counts(again)["Anlaufstellen"] == (0, 0, 2)


def test_three_bad_rows_are_reported_and_nothing_is_written(
    coordinator: Any, vocabulary: None
) -> None:
    client = staff_client(coordinator)
    before = everything()

    response = check(
        client,
        providers=upload("Anbieter.csv", PROVIDERS_CSV),
        offers=upload("Angebote.csv", BAD_OFFERS_CSV),
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert [(i.file, i.location, i.field) for i in report.issues] == [
        ("Angebote.csv", "Zeile 3 (id »falsche-art«)", "kind"),
        ("Angebote.csv", "Zeile 4 (id »falsches-thema«)", "topics"),
        ("Angebote.csv", "Zeile 5 (id »falsches-datum«)", "last_checked"),
    ]
    assert report.issues[0].reason.startswith("Unbekannte Art des Angebots »sprechstunde«")
    assert report.issues[1].reason == "Unbekanntes Thema »raumfahrt«."
    assert "JJJJ-MM-TT" in report.issues[2].reason
    page = response.content.decode()
    assert "Die Prüfung hat 3 Fehler gefunden. Es wurde nichts gespeichert" in page
    assert "Zeile 4 (id »falsches-thema«)" in page
    assert "Unbekanntes Thema »raumfahrt«." in page
    assert "Import ausführen" not in page
    assert "token" not in response.context
    assert SESSION_KEY not in client.session
    # The valid providers file is not imported on its own either.
    assert everything() == before


def test_a_file_not_in_utf8_gets_a_clear_message(coordinator: Any) -> None:
    client = staff_client(coordinator)

    response = check(client, providers=upload("Anbieter.csv", PROVIDERS_CSV.encode("cp1252")))

    issues = response.context["report"].issues
    assert len(issues) == 1
    assert issues[0].file == "Anbieter.csv"
    assert "nicht UTF-8-kodiert" in issues[0].reason
    assert "Bitte speichern Sie sie als UTF-8" in response.content.decode()


def test_a_csv_in_the_wrong_field_names_the_unknown_columns(coordinator: Any) -> None:
    response = check(staff_client(coordinator), offers=upload("Anbieter.csv", PROVIDERS_CSV))

    fields = {i.field for i in response.context["report"].issues}
    assert {"name", "title_de"} <= fields


def test_the_form_asks_for_a_file(coordinator: Any) -> None:
    response = staff_client(coordinator).post(IMPORT_URL, {})

    assert response.status_code == 200
    assert "Bitte wählen Sie mindestens eine Datei aus." in response.content.decode()


def test_the_catalog_json_format_is_accepted(
    personas: Any, coordinator: Any, vocabulary: None
) -> None:
    catalog = {
        "anlaufstellen": [
            {"id": "json-partner", "name": "JSON-Partner", "kind": "verband", "website": None}
        ],
        "angebote": [
            {
                "id": "json-angebot",
                "title_de": "JSON-Angebot",
                "anlaufstelle": "json-partner",
                "kind": "beratung",
                "topics": ["ausbildung"],
                "summary_de": "Aus einer JSON-Datei.",
            }
        ],
    }
    client = staff_client(coordinator)
    data = json.dumps(catalog, ensure_ascii=False).encode("utf-8")

    response = check(client, catalog=SimpleUploadedFile("katalog.json", data))
    assert response.context["report"].ok
    client.post(IMPORT_URL, {"token": response.context["token"]})

    assert "json-angebot" in rows_of(personas.feldberg.network)["offers"]


def test_a_json_catalog_may_not_touch_networks_or_the_shared_vocabulary(
    coordinator: Any,
) -> None:
    catalog = {
        "networks": [{"id": "feldberg", "name": "Gekapert", "bundesland": "MV"}],
        "topics": ["neues-thema"],
    }
    before = everything()

    response = check(
        staff_client(coordinator),
        catalog=SimpleUploadedFile("katalog.json", json.dumps(catalog).encode()),
    )

    reasons = [i.reason for i in response.context["report"].issues]
    assert reasons == [
        "Netzwerke können hier nicht importiert werden, nur Anlaufstellen, "
        "Ansprechpersonen und Angebote Ihres Netzwerks.",
        "Themen können hier nicht importiert werden, nur Anlaufstellen, "
        "Ansprechpersonen und Angebote Ihres Netzwerks.",
    ]
    assert everything() == before


@pytest.mark.parametrize("role", ["navigator", "partner_expert"])
def test_navigators_and_partner_experts_may_not_import(personas: Any, role: str) -> None:
    client = staff_client(getattr(personas.feldberg, role))
    before = everything()

    assert client.get(IMPORT_URL).status_code == 403
    assert check(client, providers=upload("p.csv", PROVIDERS_CSV)).status_code == 403
    assert client.post(IMPORT_URL, {"token": "x"}).status_code == 403
    assert client.get(IMPORT_URL + "vorlage/providers.csv").status_code == 403
    page = client.get(reverse("admin:directory_offer_changelist")).content.decode()
    assert IMPORT_URL not in page
    assert everything() == before


def test_signed_out_visitors_are_sent_to_the_login(personas: Any) -> None:
    response = Client().get(IMPORT_URL)

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_changelists_link_to_the_import_for_coordinators(coordinator: Any) -> None:
    client = staff_client(coordinator)
    for model in ("offer", "provider", "contact"):
        page = client.get(reverse(f"admin:directory_{model}_changelist")).content.decode()
        assert f'href="{IMPORT_URL}"' in page
        assert "Katalog importieren" in page


def test_a_coordinator_cannot_import_into_another_network(
    personas: Any, coordinator: Any, vocabulary: None
) -> None:
    client = staff_client(coordinator)
    stuttgart = personas.stuttgart.network
    stuttgart_before = rows_of(stuttgart)

    # A posted network is ignored: the form has no such field for coordinators.
    response = client.post(
        IMPORT_URL,
        {"network": stuttgart.pk, "providers": upload("Anbieter.csv", PROVIDERS_CSV)},
    )
    assert response.context["network"] == personas.feldberg.network
    client.post(IMPORT_URL, {"token": response.context["token"], "network": stuttgart.pk})

    assert rows_of(stuttgart) == stuttgart_before
    assert "wifoe-feldberg" in rows_of(personas.feldberg.network)["providers"]


@pytest.mark.parametrize(
    ("region", "reason"),
    [
        ("region-stuttgart", "gehört zu einem anderen Netzwerk"),
        ("bund", "Bundesweite Einträge pflegt der Betreiber"),
    ],
)
def test_rows_of_another_region_are_refused(
    personas: Any, coordinator: Any, region: str, reason: str
) -> None:
    before = everything()
    providers = f"id,name,kind,region\nfremder-partner,Fremder Partner,verband,{region}\n"

    response = check(staff_client(coordinator), providers=upload("Anbieter.csv", providers))

    [issue] = response.context["report"].issues
    assert (issue.location, issue.field) == ("Zeile 2 (id »fremder-partner«)", "region")
    assert reason in issue.reason
    assert everything() == before


def test_her_own_region_is_accepted(personas: Any, coordinator: Any) -> None:
    providers = "id,name,kind,region\neigener-partner,Eigener Partner,verband,mv-seenplatte\n"

    response = check(staff_client(coordinator), providers=upload("Anbieter.csv", providers))

    assert response.context["report"].ok


def test_an_existing_row_of_another_network_is_never_updated(
    personas: Any, coordinator: Any
) -> None:
    # Same slug as Stuttgart's provider: it becomes a new row in Feldberg.
    providers = "id,name,kind\npersona-partner-stuttgart,Übernommen,verband\n"
    client = staff_client(coordinator)

    response = check(client, providers=upload("Anbieter.csv", providers))
    client.post(IMPORT_URL, {"token": response.context["token"]})

    with scopes_disabled():
        theirs = Provider.objects.get(network=personas.stuttgart.network)
        assert theirs.name == "Partner Fachkräfteallianz Region Stuttgart"
        mine = Provider.objects.get(network=personas.feldberg.network, name="Übernommen")
        assert mine.slug == "persona-partner-stuttgart"


def test_contacts_of_a_nationwide_provider_are_refused(personas: Any, coordinator: Any) -> None:
    contacts = "id,anlaufstelle,function\nba-kontakt,persona-bundesagentur,Arbeitgeber-Service\n"
    before = everything()

    response = check(staff_client(coordinator), contacts=upload("Kontakte.csv", contacts))

    [issue] = response.context["report"].issues
    assert issue.field == "anlaufstelle"
    assert "bundesweite Anlaufstelle" in issue.reason
    assert everything() == before


def test_a_forged_or_foreign_token_imports_nothing(personas: Any, coordinator: Any) -> None:
    outsider = staff_client(personas.stuttgart.coordinator)
    theirs = check(outsider, providers=upload("Anbieter.csv", PROVIDERS_CSV))
    before = everything()
    client = staff_client(coordinator)

    for token in ("gefälscht", theirs.context["token"]):
        response = client.post(IMPORT_URL, {"token": token}, follow=True)
        assert response.redirect_chain == [(IMPORT_URL, 302)]
        assert "Diese Prüfung ist abgelaufen. Bitte laden Sie die Dateien erneut hoch" in (
            response.content.decode()
        )
    assert everything() == before


def test_a_token_is_used_once(personas: Any, coordinator: Any) -> None:
    client = staff_client(coordinator)
    response = check(client, providers=upload("Anbieter.csv", PROVIDERS_CSV))
    token = response.context["token"]
    client.post(IMPORT_URL, {"token": token})
    after_first = everything()

    response = client.post(IMPORT_URL, {"token": token})

    assert response.status_code == 302
    assert everything() == after_first


def test_the_confirmation_validates_again(personas: Any, coordinator: Any) -> None:
    client = staff_client(coordinator)
    offers = (
        "id,title_de,anlaufstelle,kind,topics,summary_de\n"
        "neu,Neues Angebot,persona-partner-feldberg,beratung,ausbildung,Text.\n"
    )
    response = check(client, offers=upload("Angebote.csv", offers))
    assert response.context["report"].ok
    # Between check and confirmation the provider disappears.
    with scopes_disabled():
        Offer.objects.filter(provider=personas.feldberg.provider).delete()
        personas.feldberg.provider.delete()
    before = everything()

    response = client.post(IMPORT_URL, {"token": response.context["token"]})

    assert response.status_code == 200
    [issue] = response.context["report"].issues
    assert issue.field == "anlaufstelle"
    assert everything() == before


def test_an_operator_chooses_the_network(personas: Any) -> None:
    client = staff_client(personas.operator)
    stuttgart = personas.stuttgart.network

    page = client.get(IMPORT_URL).content.decode()
    assert 'name="network"' in page
    assert f'value="{personas.bund.pk}"' not in page
    response = client.post(
        IMPORT_URL, {"network": stuttgart.pk, "providers": upload("Anbieter.csv", PROVIDERS_CSV)}
    )
    client.post(IMPORT_URL, {"token": response.context["token"]})

    assert "wifoe-feldberg" in rows_of(stuttgart)["providers"]
    assert "wifoe-feldberg" not in rows_of(personas.feldberg.network)["providers"]


def test_the_templates_download_and_import_cleanly(
    personas: Any, coordinator: Any, vocabulary: None
) -> None:
    client = staff_client(coordinator)
    files = {}
    for kind in ("providers", "contacts", "offers"):
        response = client.get(reverse("admin:directory_catalog_import_template", args=[kind]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv"
        assert response["Content-Disposition"] == f'attachment; filename="{kind}.csv"'
        text = response.content.decode("utf-8")
        assert text.startswith("\ufeffid;")
        lines = text.splitlines()
        assert len(lines) == 2
        assert "region" not in lines[0]
        files[kind] = upload(f"{kind}.csv", response.content)
    assert "Wirtschaftsförderung Musterstadt" in files["providers"].read().decode()
    files["providers"].seek(0)

    response = check(client, **files)

    assert response.context["report"].ok, response.context["report"].issues
    assert counts(response) == {
        "Anlaufstellen": (1, 0, 0),
        "Ansprechpersonen": (1, 0, 0),
        "Angebote": (1, 0, 0),
    }
    client.post(IMPORT_URL, {"token": response.context["token"]})
    mine = rows_of(personas.feldberg.network)
    assert "wifoe-musterstadt" in mine["providers"]
    assert "azubi-speeddating-musterstadt" in mine["offers"]
    assert "wifoe-musterstadt-fachkraefteberatung" in mine["contacts"]


def test_an_unknown_template_is_not_found(coordinator: Any) -> None:
    client = staff_client(coordinator)

    assert client.get(IMPORT_URL + "vorlage/catalog.csv").status_code == 404
    assert client.get(IMPORT_URL + "vorlage/topics.csv").status_code == 404


def test_the_import_page_lists_templates_and_allowed_values(coordinator: Any) -> None:
    page = staff_client(coordinator).get(IMPORT_URL).content.decode()

    assert "Katalog importieren" in page
    assert 'name="network"' not in page
    assert IMPORT_URL + "vorlage/offers.csv" in page
    assert "<code>wirtschaftsfoerderung</code>" in page
    assert "<code>ausbildung</code>" in page
