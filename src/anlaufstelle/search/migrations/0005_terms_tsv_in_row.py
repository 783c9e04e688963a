"""PostgreSQL: keep the analysed terms' tsvector in the table row instead of TOAST.

The lexical first stage reads `terms_tsv` of every row that matches the query (up to
~15,000 rows at 100,000 items) to rank it. A tsvector of ~1 kB was moved out of the
row (the row holds the vector, the latent terms and the texts as well, far over
PostgreSQL's 2 kB TOAST threshold) and stored uncompressed in the TOAST table, so each
matching row cost one more index lookup and heap fetch there: about four fifths of the
query's time. Storage MAIN makes PostgreSQL move the other wide columns out first; a
tsvector that still does not fit (a very long text) is moved out as before.

The storage setting applies to values written from now on, so every row is written
once again (the generated column is computed anew). SQLite: nothing to do.
"""

from django.db import migrations

TABLE = "search_searchdocument"


def _set_storage(schema_editor, storage: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN terms_tsv SET STORAGE {storage}")
    schema_editor.execute(f"UPDATE {TABLE} SET title_terms = title_terms")  # noqa: S608


def forwards(apps, schema_editor):
    _set_storage(schema_editor, "MAIN")


def backwards(apps, schema_editor):
    _set_storage(schema_editor, "EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("search", "0004_fulltext_scope")]

    operations = [migrations.RunPython(forwards, backwards)]
