"""On PostgreSQL, refuse overlapping holding reservations of one resource in the database.

Needs the btree_gist extension (trusted since PostgreSQL 13, so the database owner may
create it). Where it cannot be created, the constraint is skipped with a warning and the
row lock in services.reserve_resource remains the guarantee. SQLite: nothing to do;
its IMMEDIATE transactions serialise writers.
"""

import logging

from django.db import migrations

log = logging.getLogger(__name__)

CONSTRAINT = """
ALTER TABLE booking_reservation ADD CONSTRAINT reservation_no_overlap
EXCLUDE USING gist (resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (status IN ('pending', 'confirmed'))
"""


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SAVEPOINT booking_btree_gist")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        except Exception:  # noqa: BLE001 (no privilege: keep the lock-only guarantee)
            cursor.execute("ROLLBACK TO SAVEPOINT booking_btree_gist")
            log.warning("btree_gist unavailable; reservation overlap relies on row locks")
            return
        cursor.execute("RELEASE SAVEPOINT booking_btree_gist")
        cursor.execute(CONSTRAINT)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE booking_reservation DROP CONSTRAINT IF EXISTS reservation_no_overlap"
    )


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
