"""manage.py import_catalog: the shipped catalog, idempotency, errors, dry run and CSV."""

from __future__ import annotations

import json
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from anlaufstelle.directory.catalog_import import import_catalog
from anlaufstelle.directory.demo.loader import CATALOG_FILE
from anlaufstelle.directory.models import Audience, Contact, Offer, Provider, Topic
from anlaufstelle.networks.models import Network

pytestmark = pytest.mark.django_db

SHARED_CATALOG = Path(__file__).resolve().parents[3] / "shared" / "catalog" / "catalog.json"


def catalog_data() -> dict[str, Any]:
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))


def write_json(tmp_path: Path, data: dict[str, Any], name: str = "catalog.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def run(path: Path | str, *args: str) -> str:
    out = StringIO()
    call_command("import_catalog", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_failing(path: Path | str, *args: str) -> str:
    err = StringIO()
    with pytest.raises(CommandError, match="nichts geschrieben"):
        call_command("import_catalog", str(path), *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def snapshot() -> dict[str, Any]:
    """Everything the import writes, with timestamps, to compare before and after."""
    with scopes_disabled():
        return {
            "networks": sorted(
                Network.objects.values_list(
                    "slug", "name", "region", "bundesland", "description", "is_nationwide"
                )
            ),
            "topics": sorted(Topic.objects.values_list("slug", "label_de", "label_en", "position")),
            "audiences": sorted(Audience.objects.values_list("slug", "label_de", "position")),
            "providers": sorted(
                Provider.objects.values_list("network__slug", "slug", "name", "updated_at")
            ),
            "offers": sorted(
                Offer.objects.values_list("network__slug", "slug", "title", "updated_at")
            ),
            "offer_topics": sorted(
                Offer.topics.through.objects.values_list("offer_id", "topic_id")
            ),
            "offer_audiences": sorted(
                Offer.audiences.through.objects.values_list("offer_id", "audience_id")
            ),
            "contacts": sorted(Contact.objects.values_list("network__slug", "slug", "function")),
        }


def test_the_whole_shipped_catalog_imports() -> None:
    out = run(CATALOG_FILE)

    with scopes_disabled():
        assert Provider.objects.count() == 40
        assert Offer.objects.count() == 128
        assert Topic.objects.count() == 23
        assert Audience.objects.count() == 11
        offers_by_network = Counter(Offer.objects.values_list("network__slug", flat=True))
        assert offers_by_network == {"bund": 36, "feldberg": 52, "region-stuttgart": 40}
        providers_by_network = Counter(Provider.objects.values_list("network__slug", flat=True))
        assert providers_by_network == {"bund": 9, "feldberg": 18, "region-stuttgart": 13}
        assert Offer.objects.filter(verified=False).count() == 6

        pool = Network.objects.get(slug="bund")
        assert pool.is_nationwide
        feldberg = Network.objects.get(slug="feldberg")
        assert (feldberg.region, feldberg.bundesland, feldberg.host_provider_slug) == (
            "mv-seenplatte",
            "MV",
            "werkraum-feldberg",
        )
        assert feldberg.description.startswith("Innovationslabor im ländlichen Raum")
        stuttgart = Network.objects.get(slug="region-stuttgart")
        assert (stuttgart.region, stuttgart.bundesland) == ("region-stuttgart", "BW")

        egz = Offer.objects.get(slug="eingliederungszuschuss")
        assert egz.network == pool
        assert egz.provider.slug == "ba-arbeitgeber-service"
        assert egz.title == "Eingliederungszuschuss (EGZ) bei Neueinstellungen"
        assert egz.legal_basis == "§§ 88–92 SGB III"
        assert len(egz.source_urls) == 4
        assert set(egz.topics.values_list("slug", flat=True)) == {
            "foerderung-lohnkosten",
            "recruiting",
            "langzeitarbeitslose",
        }
        assert set(egz.audiences.values_list("slug", flat=True)) == {"kmu", "alle"}
        assert Provider.objects.get(slug="wrs").website == ""
        assert Topic.objects.get(slug="ausbildung").label_en == "Vocational training"
        assert Audience.objects.get(slug="kmu").label_de == "Kleine und mittlere Unternehmen"
    # The events app imports the 18 undated catalog events as drafts and says so.
    assert "18 Veranstaltung(en) ohne Datum als Entwurf importiert" in out


def test_every_id_of_the_catalog_is_kept_as_slug() -> None:
    data = catalog_data()
    run(CATALOG_FILE)

    with scopes_disabled():
        assert set(Offer.objects.values_list("slug", flat=True)) == {
            o["id"] for o in data["angebote"]
        }
        assert set(Provider.objects.values_list("slug", flat=True)) == {
            p["id"] for p in data["anlaufstellen"]
        }


@pytest.mark.skipif(not SHARED_CATALOG.exists(), reason="shared catalog not on this machine")
def test_the_project_copy_is_the_shared_catalog() -> None:
    assert json.loads(SHARED_CATALOG.read_text(encoding="utf-8")) == catalog_data()


def test_reimport_changes_nothing() -> None:
    run(CATALOG_FILE)
    before = snapshot()

    out = run(CATALOG_FILE)

    assert snapshot() == before
    assert "0 neu, 0 geändert" in out
    report = import_catalog(path=CATALOG_FILE)
    assert report.total("created") == 0
    assert report.total("updated") == 0
    assert report.counts["offers"]["unchanged"] == 128


def test_a_changed_row_is_updated_in_place_and_nothing_else_moves(tmp_path: Path) -> None:
    run(CATALOG_FILE)
    before = snapshot()
    data = catalog_data()
    data["angebote"][0]["title_de"] = "Eingliederungszuschuss – neuer Titel"
    data["angebote"][1]["topics"].append("nachfolge")

    report = import_catalog(path=write_json(tmp_path, data))

    assert report.counts["offers"] == Counter(updated=2, unchanged=126)
    after = snapshot()
    assert len(after["offers"]) == 128
    changed = {o[1] for o in set(after["offers"]) - set(before["offers"])}
    assert changed == {data["angebote"][0]["id"], data["angebote"][1]["id"]}
    assert after["providers"] == before["providers"]


def _missing_field(data: dict[str, Any]) -> None:
    del data["angebote"][4]["title_de"]


def _unknown_topic(data: dict[str, Any]) -> None:
    data["angebote"][0]["topics"].append("raumfahrt")


def _duplicate_slug(data: dict[str, Any]) -> None:
    data["angebote"][10]["id"] = data["angebote"][9]["id"]


def _unknown_provider(data: dict[str, Any]) -> None:
    data["angebote"][2]["anlaufstelle"] = "gibt-es-nicht"


def _provider_of_other_network(data: dict[str, Any]) -> None:
    stuttgart_offer = next(o for o in data["angebote"] if o["region"] == "region-stuttgart")
    stuttgart_offer["anlaufstelle"] = "aa-neubrandenburg"


def _bad_type(data: dict[str, Any]) -> None:
    data["angebote"][6]["verified"] = "ja"


def _bad_url(data: dict[str, Any]) -> None:
    data["anlaufstellen"][3]["website"] = "anerkennung-in-deutschland"


def _bad_date(data: dict[str, Any]) -> None:
    data["angebote"][7]["last_checked"] = "01.11.2025"


def _unknown_kind(data: dict[str, Any]) -> None:
    data["anlaufstellen"][0]["kind"] = "behoerde"


def _unknown_region(data: dict[str, Any]) -> None:
    data["angebote"][8]["region"] = "uckermark"


@pytest.mark.parametrize(
    ("break_it", "location", "field", "reason"),
    [
        (_missing_field, "angebote Nr. 5", "title_de", "Pflichtfeld fehlt"),
        (_unknown_topic, "angebote Nr. 1", "topics", "Unbekanntes Thema »raumfahrt«"),
        (_duplicate_slug, "angebote Nr. 11", "id", "mehrfach"),
        (_unknown_provider, "angebote Nr. 3", "anlaufstelle", "»gibt-es-nicht«"),
        (_provider_of_other_network, "angebote Nr.", "anlaufstelle", "»aa-neubrandenburg«"),
        (_bad_type, "angebote Nr. 7", "verified", "Wahrheitswert erwartet"),
        (_bad_url, "anlaufstellen Nr. 4", "website", "keine gültige http(s)-Adresse"),
        (_bad_date, "angebote Nr. 8", "last_checked", "JJJJ-MM-TT"),
        (_unknown_kind, "anlaufstellen Nr. 1", "kind", "»behoerde«"),
        (_unknown_region, "angebote Nr. 9", "region", "Unbekannte Region »uckermark«"),
    ],
)
def test_a_broken_file_names_row_field_and_reason_and_writes_nothing(
    tmp_path: Path, break_it: Any, location: str, field: str, reason: str
) -> None:
    run(CATALOG_FILE)
    before = snapshot()
    data = catalog_data()
    # Valid changes in the same file must not be written either.
    data["angebote"][20]["title_de"] = "Geänderter Titel, der nicht ankommen darf"
    data["anlaufstellen"].append(
        {"id": "neue-stelle", "name": "Neue Stelle", "kind": "kommune", "region": "bund"}
    )
    break_it(data)
    path = write_json(tmp_path, data)

    err = run_failing(path)

    line = next(line for line in err.splitlines() if f"Feld »{field}«" in line)
    assert line.startswith("FEHLER catalog.json, ")
    assert location in line
    assert reason in line
    assert snapshot() == before


def test_a_file_that_is_not_utf8_is_refused_with_file_and_line(tmp_path: Path) -> None:
    run(CATALOG_FILE)
    before = snapshot()
    path = tmp_path / "catalog.json"
    path.write_bytes(CATALOG_FILE.read_text(encoding="utf-8").encode("latin-1", "replace"))
    first_umlaut_line = CATALOG_FILE.read_text(encoding="utf-8")
    expected_line = first_umlaut_line[: first_umlaut_line.index("ä")].count("\n") + 1

    err = run_failing(path)

    assert "catalog.json" in err
    assert f"Zeile {expected_line}" in err
    assert "nicht UTF-8-kodiert" in err
    assert snapshot() == before


def test_invalid_json_is_refused_with_line_and_column(tmp_path: Path) -> None:
    run(CATALOG_FILE)
    before = snapshot()
    path = tmp_path / "catalog.json"
    path.write_text('{\n "networks": [\n  {"id": "x",}\n ]\n}\n', encoding="utf-8")

    err = run_failing(path)

    assert "catalog.json, Zeile 3, Spalte 14: Ungültiges JSON" in err
    assert snapshot() == before


def test_dry_run_reports_and_writes_nothing() -> None:
    out = run(CATALOG_FILE, "--dry-run")

    assert "Probelauf" in out
    assert "Angebote                 128         0            0" in out
    with scopes_disabled():
        assert Offer.objects.count() == 0
        assert Provider.objects.count() == 0
        assert Network.objects.count() == 0
        assert Topic.objects.count() == 0


def test_dry_run_after_an_import_reports_the_change_without_making_it(tmp_path: Path) -> None:
    run(CATALOG_FILE)
    before = snapshot()
    data = catalog_data()
    data["angebote"][0]["summary_de"] = "Kurzfassung neu."

    out = run(write_json(tmp_path, data), "--dry-run")

    assert "Angebote                   0         1          127" in out
    assert snapshot() == before


def test_an_unknown_network_option_is_refused(tmp_path: Path) -> None:
    err = run_failing(CATALOG_FILE, "--network", "gibt-es-nicht")

    assert "»gibt-es-nicht«" in err


# --- CSV -------------------------------------------------------------------------------

PROVIDERS_CSV = """id;name;kind;description_de;website
wifoe-uecker-randow;Wirtschaftsförderung Uecker-Randow;wirtschaftsfoerderung;Berät Betriebe im Altkreis.;https://wifoe.example
kreishandwerkerschaft-ur;Kreishandwerkerschaft Uecker-Randow;verband;;
"""

OFFERS_CSV = """id,title_de,anlaufstelle,kind,topics,target_groups,summary_de,verified,last_checked,source_urls
azubi-tour-ur,Azubi-Tour durch die Betriebe,wifoe-uecker-randow,veranstaltung,ausbildung|berufsorientierung,kmu;handwerk,"Schulklassen besuchen Betriebe.
Zweite Zeile der Beschreibung.",ja,2025-10-01,https://wifoe.example/azubi-tour
egz-sprechstunde-ur,Sprechstunde Eingliederungszuschuss,ba-arbeitgeber-service,beratung,foerderung-lohnkosten,,Der Arbeitgeber-Service berät vor Ort.,nein,,
"""  # noqa: E501

CONTACTS_CSV = """id,anlaufstelle,function,email,topics
wifoe-ur-unternehmensservice,wifoe-uecker-randow,Unternehmensservice,service@wifoe.example,ausbildung
"""

TOPICS_CSV = """id,label_de,label_en
grenzregion,Grenzregion Polen,Border region Poland
"""


@pytest.fixture
def lena_network(db: None) -> Network:
    """A new network created by an operator; Lena imports her spreadsheet into it."""
    run(CATALOG_FILE)
    return Network.objects.create(slug="uecker-randow", name="Netzwerk Uecker-Randow")


def write_csv_dir(tmp_path: Path, **files: str) -> Path:
    directory = tmp_path / "tabelle"
    directory.mkdir()
    for name, text in files.items():
        (directory / f"{name}.csv").write_text(text, encoding="utf-8")
    return directory


def test_a_directory_of_csv_files_imports_into_the_given_network(
    tmp_path: Path, lena_network: Network
) -> None:
    directory = write_csv_dir(
        tmp_path,
        providers=PROVIDERS_CSV,
        offers=OFFERS_CSV,
        contacts=CONTACTS_CSV,
        topics=TOPICS_CSV,
    )

    run(directory, "--network", "uecker-randow")

    with scopes_disabled():
        offers = Offer.objects.filter(network=lena_network)
        assert set(offers.values_list("slug", flat=True)) == {
            "azubi-tour-ur",
            "egz-sprechstunde-ur",
        }
        tour = offers.get(slug="azubi-tour-ur")
        assert tour.provider.slug == "wifoe-uecker-randow"
        assert tour.summary == "Schulklassen besuchen Betriebe.\nZweite Zeile der Beschreibung."
        assert set(tour.topics.values_list("slug", flat=True)) == {
            "ausbildung",
            "berufsorientierung",
        }
        assert set(tour.audiences.values_list("slug", flat=True)) == {"kmu", "handwerk"}
        assert tour.verified is True
        assert tour.last_checked.isoformat() == "2025-10-01"
        assert tour.source_urls == ["https://wifoe.example/azubi-tour"]
        sprechstunde = offers.get(slug="egz-sprechstunde-ur")
        # A network's offer may name a provider of the nationwide pool.
        assert sprechstunde.provider.network.is_nationwide
        assert sprechstunde.verified is False
        assert Provider.objects.filter(network=lena_network).count() == 2
        contact = Contact.objects.get(slug="wifoe-ur-unternehmensservice")
        assert contact.network == lena_network
        assert contact.provider.slug == "wifoe-uecker-randow"
        assert Topic.objects.get(slug="grenzregion").label_en == "Border region Poland"

    again = run(directory, "--network", "uecker-randow")
    assert "0 neu, 0 geändert" in again


def test_a_bad_csv_row_is_reported_with_its_line_number(
    tmp_path: Path, lena_network: Network
) -> None:
    before = snapshot()
    # The first data row spans lines 2 and 3 (a quoted line break), so the bad row is line 4.
    bad_offers = OFFERS_CSV.replace("beratung,foerderung-lohnkosten", "sprechstunde,raumfahrt")
    directory = write_csv_dir(tmp_path, providers=PROVIDERS_CSV, offers=bad_offers)

    err = run_failing(directory, "--network", "uecker-randow")

    assert "offers.csv, Zeile 4 (id »egz-sprechstunde-ur«), Feld »kind«: Unbekannte" in err
    assert "offers.csv, Zeile 4 (id »egz-sprechstunde-ur«), Feld »topics«" in err
    assert snapshot() == before


def test_csv_rows_without_region_need_the_network_option(
    tmp_path: Path, lena_network: Network
) -> None:
    directory = write_csv_dir(tmp_path, providers=PROVIDERS_CSV)

    err = run_failing(directory)

    assert "providers.csv, Zeile 2 (id »wifoe-uecker-randow«), Feld »region«" in err
    assert "--network" in err


def test_an_unknown_csv_column_is_reported(tmp_path: Path, lena_network: Network) -> None:
    directory = write_csv_dir(
        tmp_path, providers=PROVIDERS_CSV.replace("description_de", "beschreibung")
    )

    err = run_failing(directory, "--network", "uecker-randow")

    assert "providers.csv, Zeile 1, Feld »beschreibung«: Unbekannte Spalte" in err


def test_a_csv_file_in_latin1_is_refused(tmp_path: Path, lena_network: Network) -> None:
    directory = tmp_path / "tabelle"
    directory.mkdir()
    (directory / "providers.csv").write_bytes(PROVIDERS_CSV.encode("cp1252"))

    err = run_failing(directory, "--network", "uecker-randow")

    assert "providers.csv, Zeile 2: Die Datei ist nicht UTF-8-kodiert" in err
