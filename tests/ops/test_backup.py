"""`manage.py backup` and `restore`: one archive, restored into an empty database that
passes the data check — on the engine the suite runs on (SQLite and PostgreSQL).

The restore runs as its own process against a new, empty database (a new SQLite file, or
a PostgreSQL database created for the test), as an operator would run it.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_scopes import scopes_disabled

from anlaufstelle.directory.models import Offer
from anlaufstelle.ops.backup import read_manifest

PROJECT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "branding").mkdir(parents=True)
    (root / "branding" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (root / "mediathek").mkdir()
    (root / "mediathek" / "folge-1.mp3").write_bytes(b"ID3" + bytes(range(256)) * 40)
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of a new, empty database of the suite's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restore"[:63]
    admin = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    try:
        yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**os.environ, "LOG_LEVEL": "WARNING", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def restored_offer_titles(target_url: str) -> set[str]:
    if target_url.startswith("sqlite:"):
        with sqlite3.connect(target_url.removeprefix("sqlite:///")) as db:
            return {row[0] for row in db.execute("SELECT title FROM directory_offer")}
    with psycopg.connect(target_url.replace("postgres://", "postgresql://")) as db:
        return {row[0] for row in db.execute("SELECT title FROM directory_offer")}


def test_backup_restores_into_an_empty_database_that_passes_the_data_check(
    demo_catalog, media: Path, tmp_path: Path, empty_target: str
) -> None:
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)

    manifest = read_manifest(archive)
    assert manifest["engine"] == connection.vendor
    with scopes_disabled():
        offers = Offer.objects.count()
        titles = set(Offer.objects.values_list("title", flat=True))
    assert offers > 10
    assert manifest["counts"]["directory_offer"] == offers
    assert {"directory", "networks"} <= set(manifest["samples"])
    assert manifest["media"]["files"] == 2
    with tarfile.open(archive) as tar:
        assert "media/branding/logo.svg" in tar.getnames()

    restored_media = tmp_path / "restored-media"
    result = manage(
        "restore",
        str(archive),
        env={"DATABASE_URL": empty_target, "MEDIA_ROOT": str(restored_media)},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "data check passed" in result.stdout
    assert restored_offer_titles(empty_target) == titles
    assert (restored_media / "mediathek" / "folge-1.mp3").read_bytes() == (
        media / "mediathek" / "folge-1.mp3"
    ).read_bytes()


def test_restore_refuses_a_database_that_is_not_empty(media: Path, tmp_path: Path) -> None:
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))


def test_the_data_check_names_what_differs(
    demo_catalog, media: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)
    call_command("restore", str(archive), check_only=True)  # the live database matches

    with scopes_disabled():
        Offer.objects.order_by("-pk")[0].delete()
    (media / "branding" / "logo.svg").unlink()

    with pytest.raises(CommandError, match="data check failed"):
        call_command("restore", str(archive), check_only=True)
    out = capsys.readouterr().out
    assert "table directory_offer: " in out
    assert "MEDIA_ROOT: 1 files, the backup had 2" in out


def test_a_tampered_database_file_is_refused(
    media: Path, tmp_path: Path, empty_target: str
) -> None:
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name == "manifest.json" and data is not None:
                manifest = json.loads(data.read())
                manifest["database_sha256"] = "0" * 64
                payload = json.dumps(manifest).encode()
                member.size = len(payload)
                target.addfile(member, io.BytesIO(payload))
            else:
                target.addfile(member, data)

    result = manage(
        "restore",
        str(tampered),
        env={"DATABASE_URL": empty_target, "MEDIA_ROOT": str(tmp_path / "m")},
    )

    assert result.returncode != 0
    assert "checksum" in result.stderr
