"""One archive with the whole state of an installation: the database and the uploads.

    anlaufstelle-backup-<time>.tar.gz
      manifest.json      format, time, engine, migrations, row counts per table, and one
                         sample row per app (its key and a SHA-256 of its values)
      database.dump      PostgreSQL: pg_dump's custom format      (or)
      database.sqlite3   SQLite: a copy made with SQLite's online backup API
      media/...          MEDIA_ROOT

The counts and samples are taken from exactly the data in the dump: on PostgreSQL in a
transaction whose snapshot pg_dump shares (`--snapshot`), on SQLite from the copy. A
restore (into an empty database, the same engine) recomputes them and compares: that is
the data check. Uploads are packed before the database, so no row points to a file that
the archive lacks.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "anlaufstelle-backup"
VERSION = 1
MANIFEST = "manifest.json"
PG_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# ---------------------------------------------------------------- reading a database


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _stable(value: Any) -> Any:
    if isinstance(value, memoryview | bytes | bytearray):
        return hashlib.sha256(bytes(value)).hexdigest()
    return str(value) if value is not None else None


def _sample_tables() -> dict[str, list[tuple[str, str]]]:
    """Per app label, its models' (table, primary key column): concrete models, no m2m tables."""
    per_app: dict[str, list[tuple[str, str]]] = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        per_app.setdefault(meta.app_label, []).append((meta.db_table, str(meta.pk.column)))
    return per_app


def describe(cursor: Any, tables: list[str]) -> dict[str, Any]:
    """Row counts of `tables` and one sample row per app, read through `cursor`."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 (catalog names)
        counts[table] = cursor.fetchone()[0]
    samples = {}
    for app_label, models in sorted(_sample_tables().items()):
        # The app's fullest table; its row with the lowest key.
        present = [(t, pk) for t, pk in models if counts.get(t)]
        if not present:
            continue
        table, pk = max(present, key=lambda item: (counts[item[0]], item[0]))
        query = f"SELECT * FROM {_quote(table)} ORDER BY {_quote(pk)} LIMIT 1"  # noqa: S608
        cursor.execute(query)
        columns = [col[0] for col in cursor.description]
        row = cursor.fetchone()
        values = {column: _stable(value) for column, value in zip(columns, row, strict=True)}
        samples[app_label] = {
            "table": table,
            "pk": str(values[pk]),
            "sha256": hashlib.sha256(
                json.dumps(values, sort_keys=True).encode("utf-8")
            ).hexdigest(),
        }
    return {"counts": counts, "samples": samples}


def _migrations(cursor: Any) -> dict[str, str]:
    table = MigrationRecorder.Migration._meta.db_table
    cursor.execute(f"SELECT app, name FROM {_quote(table)} ORDER BY app, name")  # noqa: S608
    latest: dict[str, str] = {}
    for app, name in cursor.fetchall():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def _user_tables(vendor: str, cursor: Any) -> list[str]:
    if vendor == "postgresql":
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        )
    else:
        # FTS5 shadow tables hold the index; their virtual table is counted instead.
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE TABLE ''%'"
        )
    return [row[0] for row in cursor.fetchall()]


# ---------------------------------------------------------------- PostgreSQL tools


def _pg_args_env(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    db = connections[alias].settings_dict
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    tool = cmd[0]
    if shutil.which(tool) is None:
        raise BackupError(f"{tool} is missing: apt-get install postgresql-client")
    # A fixed tool and our own arguments (the database's settings, a scratch path).
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")


# ---------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def backup(output: Path) -> BackupResult:
    """Write the archive to `output` (a .tar.gz); return it with its manifest."""
    vendor = connection.vendor
    if vendor not in {"postgresql", "sqlite"}:
        raise BackupError(f"no backup for the {vendor} database engine")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    media = _media_files()
    media_root = Path(settings.MEDIA_ROOT)
    with (
        tempfile.TemporaryDirectory(prefix="anlaufstelle-backup-") as scratch,
        tarfile.open(partial, "w:gz") as tar,
    ):
        # Uploads first: a row written after this point may name a file we lack, but
        # never the other way round.
        media_bytes = 0
        for path in media:
            tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
            media_bytes += path.stat().st_size
        if vendor == "postgresql":
            db_file, facts = _dump_postgresql(Path(scratch))
        else:
            db_file, facts = _dump_sqlite(Path(scratch))
        tar.add(db_file, arcname=db_file.name)
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "engine": vendor,
            "django": django.get_version(),
            "database_file": db_file.name,
            "database_sha256": _sha256(db_file),
            "media": {"files": len(media), "bytes": media_bytes},
            **facts,
        }
        _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
    partial.replace(output)
    return BackupResult(path=output, manifest=manifest)


def _dump_postgresql(scratch: Path) -> tuple[Path, dict[str, Any]]:
    target = scratch / PG_FILE
    args, env = _pg_args_env()
    name = connections["default"].settings_dict["NAME"]
    # A connection of our own: its snapshot is the one pg_dump dumps.
    conn = connections.create_connection("default")
    try:
        conn.ensure_connection()
        raw = conn.connection
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = describe(cursor, _user_tables("postgresql", cursor))
            facts["migrations"] = _migrations(cursor)
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-acl",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    str(name),
                ],
                env,
            )
            cursor.execute("COMMIT")
    finally:
        conn.close()
    return target, facts


def _dump_sqlite(scratch: Path) -> tuple[Path, dict[str, Any]]:
    target = scratch / SQLITE_FILE
    source_name = str(connections["default"].settings_dict["NAME"])
    # SQLite's online backup: consistent while the site keeps writing (WAL).
    source = sqlite3.connect(source_name)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        facts = describe(cursor, _user_tables("sqlite", cursor))
        facts["migrations"] = _migrations(cursor)
    finally:
        copy.close()
        source.close()
    return target, facts


# ---------------------------------------------------------------- restore


def read_manifest(archive: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, json.JSONDecodeError) as exc:
        raise BackupError(f"{archive} is not a backup archive of this kind: {exc}") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError(f"{archive}: unknown format {manifest.get('format')!r}")
    return manifest


@contextmanager
def _extracted(archive: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="anlaufstelle-restore-") as scratch:
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, "..", links out of the tree, devices.
            tar.extractall(scratch, filter="data")
        yield Path(scratch)


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not _user_tables(connection.vendor, cursor)


def restore(archive: Path) -> dict[str, Any]:
    """Restore `archive` into the configured, empty database and MEDIA_ROOT; return the check."""
    manifest = read_manifest(archive)
    vendor = connection.vendor
    if manifest["engine"] != vendor:
        raise BackupError(
            f"the archive holds a {manifest['engine']} database, DATABASE_URL names {vendor}: "
            "restore into the same engine (see docs/backup-restore.md for moving between them)"
        )
    if not _database_is_empty():
        raise BackupError(
            "the database is not empty: restore only into a new, empty database "
            "(PostgreSQL: createdb; SQLite: a file that does not exist yet)"
        )
    media_root = Path(settings.MEDIA_ROOT)
    if media_root.is_dir() and any(media_root.iterdir()):
        raise BackupError(f"MEDIA_ROOT {media_root} is not empty: restore into an empty one")
    with _extracted(archive) as scratch:
        db_file = scratch / manifest["database_file"]
        if _sha256(db_file) != manifest["database_sha256"]:
            raise BackupError("the database file does not match its checksum in the manifest")
        if vendor == "postgresql":
            args, env = _pg_args_env()
            name = connections["default"].settings_dict["NAME"]
            connection.close()
            _run(
                [
                    "pg_restore",
                    *args,
                    "--no-owner",
                    "--no-acl",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={name}",
                    str(db_file),
                ],
                env,
            )
        else:
            target = Path(str(connections["default"].settings_dict["NAME"]))
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{target}{suffix}").unlink(missing_ok=True)
            source = sqlite3.connect(db_file)
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()
        media_source = scratch / "media"
        if media_source.is_dir():
            media_root.mkdir(parents=True, exist_ok=True)
            shutil.copytree(media_source, media_root, dirs_exist_ok=True)
    return verify(manifest)


@dataclass
class CheckReport:
    tables: int
    rows: int
    samples: int
    media_files: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(manifest: dict[str, Any]) -> dict[str, Any]:
    """Compare the configured database and MEDIA_ROOT with the manifest's counts and samples."""
    connection.close()
    if connection.vendor == "sqlite":
        # Plain sqlite3, as the backup read its copy: Django's connection converts types.
        raw = sqlite3.connect(str(connections["default"].settings_dict["NAME"]))
        try:
            cursor = raw.cursor()
            actual = describe(cursor, _user_tables("sqlite", cursor))
        finally:
            raw.close()
    else:
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            actual = describe(cursor, _user_tables(connection.vendor, cursor))
        connection.close()
    problems = []
    for table, count in sorted(manifest["counts"].items()):
        found = actual["counts"].get(table)
        if found != count:
            problems.append(f"table {table}: {found} rows, the backup had {count}")
    for app_label, sample in sorted(manifest["samples"].items()):
        got = actual["samples"].get(app_label)
        if got != sample:
            problems.append(
                f"app {app_label}: sample row {sample['table']} #{sample['pk']} "
                "differs or is missing"
            )
    media_files = len(_media_files())
    if media_files < manifest["media"]["files"]:
        problems.append(
            f"MEDIA_ROOT: {media_files} files, the backup had {manifest['media']['files']}"
        )
    report = CheckReport(
        tables=len(manifest["counts"]),
        rows=sum(manifest["counts"].values()),
        samples=len(manifest["samples"]),
        media_files=media_files,
        problems=problems,
    )
    return report.__dict__ | {"ok": report.ok}
