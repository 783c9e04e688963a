"""manage.py create_network: a new network in one step, idempotent and all-or-nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from anlaufstelle.cases.models import NetworkCaseSettings
from anlaufstelle.directory.models import Provider
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.search.models import SynonymEntry

PARTNERS = (
    "name,kind,slug,website,email,phone,address,description\n"
    "Agentur für Arbeit Eberswalde,arbeitsagentur,aa-eberswalde,https://www.arbeitsagentur.de,"
    'arbeitgeber@aa.example,03334 0000,"Heegermühler Str. 1, 16225 Eberswalde",'
    "Arbeitgeber-Service\n"
    'IHK Ostbrandenburg,kammer,,https://www.ihk.de,,,,"Ausbildung, Weiterbildung"\n'
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def operator(db) -> User:
    return User.objects.create_superuser("betrieb@land.example", "x", first_name="Olaf")


@pytest.fixture
def template(personas) -> Network:
    """Feldberg with its own synonyms and consent texts."""
    network = personas.feldberg.network
    with scopes_disabled():
        SynonymEntry.objects.create(network=network, terms="Werkraum, Coworking, Gemeinschaftsbüro")
        SynonymEntry.objects.create(network=network, terms="Azubi, Auszubildende*")
        NetworkCaseSettings.objects.update_or_create(
            network=network,
            defaults={
                "consent_text": "Ich willige ein (Vorlage Feldberg).",
                "share_consent_text": "Weitergabe an Partner (Vorlage Feldberg).",
                "retention_months": 6,
            },
        )
    return network


def partner_file(tmp_path: Path, text: str = PARTNERS, name: str = "partner.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("create_network", *args, stdout=out)
    return out.getvalue()


def uckermark_args(tmp_path: Path, *extra: str) -> list[str]:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    return [
        "--slug", "uckermark",
        "--name", "Fachkräftenetzwerk Uckermark",
        "--bundesland", "BB",
        "--hostname", "Fachkraefte-Uckermark.example",
        "--hostname", "www.fachkraefte-uckermark.example",
        "--accent-color", "#0f2d7a",
        "--tagline", "Fachkräfte für die Uckermark",
        "--logo", str(logo),
        "--logo-alt", "Logo des Netzwerks: ein Baum",
        "--partners", str(partner_file(tmp_path)),
        "--coordinator", "Jana.Koordination@uckermark.example",
        "--coordinator-name", "Jana Beispiel",
        *extra,
    ]  # fmt: skip


def test_it_creates_the_network_with_partners_template_and_an_invited_coordinator(
    operator, template, smtp, settings, tmp_path, client
):
    settings.ANLAUFSTELLE_SITE_URL = "http://testserver"

    out = run(*uckermark_args(tmp_path, "--template", "feldberg"))

    assert "Netzwerk „Fachkräftenetzwerk Uckermark“ (uckermark) angelegt." in out
    assert "Partner: 2 neu, 0 aktualisiert." in out
    assert "Einladung an jana.koordination@uckermark.example gesendet." in out
    network = Network.objects.get(slug="uckermark")
    assert network.bundesland == "BB"
    assert network.hostname_list() == [
        "fachkraefte-uckermark.example",
        "www.fachkraefte-uckermark.example",
    ]
    assert network.accent_color == "#0f2d7a"
    with network.logo.open("rb") as stored:
        assert stored.read() == PNG
    with scopes_disabled():
        providers = {p.slug: p for p in Provider.objects.filter(network=network)}
        assert set(providers) == {"aa-eberswalde", "ihk-ostbrandenburg"}
        assert providers["aa-eberswalde"].address == "Heegermühler Str. 1, 16225 Eberswalde"
        assert providers["ihk-ostbrandenburg"].kind == "kammer"
        synonyms = set(SynonymEntry.objects.filter(network=network).values_list("terms", flat=True))
        assert synonyms == {"Werkraum, Coworking, Gemeinschaftsbüro", "Azubi, Auszubildende*"}
        settings_row = NetworkCaseSettings.objects.get(network=network)
    assert settings_row.consent_text == "Ich willige ein (Vorlage Feldberg)."
    assert settings_row.retention_months == 6
    coordinator = User.objects.get(email="jana.koordination@uckermark.example")
    assert (coordinator.network, coordinator.role) == (network, Role.COORDINATOR)
    assert coordinator.is_staff and not coordinator.has_usable_password()
    assert (coordinator.first_name, coordinator.last_name) == ("Jana", "Beispiel")
    # The real invitation, through a real SMTP server: the link lets her set a password.
    [mail] = smtp.to("jana.koordination@uckermark.example")
    assert "Fachkräftenetzwerk Uckermark" in mail["Subject"]
    body = mail.get_body(("plain",)).get_content()
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", body).group(1)
    assert client.get(link, follow=True).status_code == 200


def test_a_second_run_changes_nothing_and_invites_nobody_again(operator, template, smtp, tmp_path):
    args = uckermark_args(tmp_path, "--template", "feldberg")
    run(*args)

    out = run(*args)

    assert "ist aktuell" in out
    assert "Partner: 0 neu, 0 aktualisiert." in out
    assert "2 Synonymgruppen" not in out
    assert "keine neue Einladung" in out
    assert len(smtp.to("jana.koordination@uckermark.example")) == 1
    assert Network.objects.filter(slug="uckermark").count() == 1
    with scopes_disabled():
        assert Provider.objects.filter(network__slug="uckermark").count() == 2
        assert SynonymEntry.objects.filter(network__slug="uckermark").count() == 2
    logos = list((Path(Network.objects.get(slug="uckermark").logo.path)).parent.glob("logo*"))
    assert len(logos) == 1  # the unchanged logo is not stored again


def test_a_changed_partner_row_is_updated_not_duplicated(operator, smtp, tmp_path, db):
    run(*uckermark_args(tmp_path))
    changed = PARTNERS.replace("03334 0000", "03334 1111")

    out = run(
        *uckermark_args(tmp_path),
        "--partners",
        str(partner_file(tmp_path, changed, "geaendert.csv")),
    )

    assert "Partner: 0 neu, 1 aktualisiert." in out
    with scopes_disabled():
        assert Provider.objects.get(slug="aa-eberswalde").phone == "03334 1111"


def test_csv_errors_are_listed_in_german_by_line_and_field_and_nothing_is_saved(
    operator, tmp_path, db
):
    bad = """name,kind,email,website
Jobcenter Uckermark,jobcenter,jobcenter@uckermark.example,https://jobcenter.example
,kammer,,
Welcome Center,zauberei,keine-adresse,ftp://welcome.example
Jobcenter Uckermark,jobcenter,,
"""
    with pytest.raises(CommandError) as caught:
        run(*uckermark_args(tmp_path), "--partners", str(partner_file(tmp_path, bad, "fehler.csv")))

    message = str(caught.value)
    assert message.startswith("Es wurde nichts gespeichert. Bitte korrigieren Sie:")
    assert "Zeile 3, Feld „name“: Dieses Feld ist erforderlich." in message
    assert "Zeile 4, Feld „kind“: unbekannte Art „zauberei“." in message
    assert "Zeile 4, Feld „email“: keine gültige E-Mail-Adresse." in message
    assert "Zeile 4, Feld „website“: keine gültige Webadresse (https://…)." in message
    assert "Zeile 5, Feld „slug“: „jobcenter-uckermark“ steht schon in Zeile 2." in message
    assert not Network.objects.filter(slug="uckermark").exists()
    assert not User.objects.filter(email="jana.koordination@uckermark.example").exists()


def test_unknown_and_missing_columns_are_named(operator, tmp_path, db):
    with pytest.raises(CommandError) as caught:
        run(
            *uckermark_args(tmp_path),
            "--partners",
            str(partner_file(tmp_path, "titel,art\nx,y\n", "spalten.csv")),
        )

    message = str(caught.value)
    assert "Zeile 1: unbekannte Spalten titel, art." in message
    assert "Zeile 1: Pflichtspalten fehlen: name, kind." in message


def test_a_semicolon_file_from_a_spreadsheet_with_german_kind_labels_is_read(
    operator, smtp, tmp_path, db
):
    text = "\ufeffName;Kind;Email\nIHK Ostbrandenburg;Kammer (IHK/HWK);info@ihk.example\n"
    path = partner_file(tmp_path, text, "tabelle.csv")

    run(*uckermark_args(tmp_path), "--partners", str(path))

    with scopes_disabled():
        provider = Provider.objects.get(network__slug="uckermark")
    assert (provider.slug, provider.kind, provider.email) == (
        "ihk-ostbrandenburg",
        "kammer",
        "info@ihk.example",
    )


def test_a_file_that_is_not_utf8_is_refused_in_german(operator, tmp_path, db):
    path = tmp_path / "ansi.csv"
    path.write_bytes(
        "name,kind\nHandwerkskammer Frankfurt (Oder) – Gärtner,kammer\n".encode("cp1252")
    )

    with pytest.raises(CommandError, match="nicht als UTF-8-Text lesen"):
        run(*uckermark_args(tmp_path), "--partners", str(path))


def test_a_host_name_of_another_network_stops_everything(operator, personas, tmp_path):
    feldberg = personas.feldberg.network
    feldberg.hostnames = "werkraum-feldberg.example, fachkraefte-uckermark.example"
    feldberg.save()

    with pytest.raises(CommandError) as caught:
        run(*uckermark_args(tmp_path))

    assert (
        "Der Hostname fachkraefte-uckermark.example gehört schon zum Netzwerk „feldberg“."
        in str(caught.value)
    )
    assert not Network.objects.filter(slug="uckermark").exists()
    with scopes_disabled():
        assert not Provider.objects.filter(slug="aa-eberswalde").exists()


def test_branding_is_checked_like_in_the_back_office(operator, tmp_path, db):
    with pytest.raises(CommandError) as caught:
        run(*uckermark_args(tmp_path), "--accent-color", "#ffff00")

    assert "zu hell" in str(caught.value)
    assert not Network.objects.filter(slug="uckermark").exists()


def test_a_missing_template_and_a_wrong_bundesland_are_named(operator, tmp_path, db):
    with pytest.raises(CommandError) as caught:
        run(*uckermark_args(tmp_path, "--template", "gibt-es-nicht", "--bundesland", "XX"))

    message = str(caught.value)
    assert "Kein Vorlagen-Netzwerk „gibt-es-nicht“." in message
    assert "Unbekanntes Bundesland „XX“." in message


def test_a_coordinator_of_another_network_is_not_taken_over(operator, personas, tmp_path):
    other = personas.feldberg.coordinator

    with pytest.raises(CommandError) as caught:
        run(*uckermark_args(tmp_path), "--coordinator", other.email)

    assert f"Die Adresse {other.email} gehört schon zu einem anderen Konto." in str(caught.value)
    other.refresh_from_db()
    assert other.network == personas.feldberg.network
    assert not Network.objects.filter(slug="uckermark").exists()


def test_without_an_operator_account_nothing_happens(tmp_path, db):
    with pytest.raises(CommandError, match="createsuperuser"):
        run(*uckermark_args(tmp_path))

    assert not Network.objects.filter(slug="uckermark").exists()


def test_a_mail_server_outage_keeps_the_network_and_the_invitation_can_be_resent(
    operator, smtp_server, tmp_path, db
):
    with pytest.raises(CommandError, match="--resend-invitation"):
        run(*uckermark_args(tmp_path))
    assert Network.objects.filter(slug="uckermark").exists()
    assert not smtp_server.inbox.messages

    smtp_server.start()
    out = run(*uckermark_args(tmp_path), "--resend-invitation")

    assert "Einladung an jana.koordination@uckermark.example gesendet." in out
    assert smtp_server.inbox.to("jana.koordination@uckermark.example")
