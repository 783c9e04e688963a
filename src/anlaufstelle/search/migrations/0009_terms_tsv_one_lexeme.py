"""PostgreSQL: each analysed term is one lexeme of `terms_tsv`, synonym tokens included.

The analysed terms hold synonym-group tokens such as `syn_azubi`. SQLite's FTS5 keeps
them whole (`tokenchars '_'`, migration 0004), but PostgreSQL's parser splits them at
the underscore: the row's tsvector held `syn` and `azubi`, and the query's `'syn_azubi'`
became the phrase `'syn' <-> 'azubi'`. `syn` is in nearly every row, a phrase needs every
row of the GIN bitmap rechecked against its tsvector, and the planner at times scanned
the whole table instead (docs/search.md, fourth round); and a query's plain `azubi`
matched rows that only hold the group token, which FTS5 does not.

So the underscore becomes a `0` before parsing: `syn0azubi` is one `numword` lexeme
for the 'simple' parser. No real term can look like that: the analysis emits words of
letters only or digits followed by letters (`analysis.TOKEN_RE`), never letters
followed by a digit. `backends.PostgresFTSBackend` maps the query's terms the same way
(`pg_lexeme`). The stored `title_terms`/`body_terms`, which BM25 reads, stay as they
are. The column is redefined (PostgreSQL 15 cannot change a generated expression in
place); the same ALTER sets storage MAIN (migration 0005), so the table is rewritten
once and every row's vector computed anew. SQLite: nothing to do.
"""

from django.db import migrations

TABLE = "search_searchdocument"


def _terms_tsv(title: str, body: str) -> list[str]:
    return [
        "DROP INDEX IF EXISTS search_doc_terms_tsv",
        f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS terms_tsv",
        f"""ALTER TABLE {TABLE}
            ADD COLUMN terms_tsv tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('simple'::regconfig, {title}), 'A') ||
                setweight(to_tsvector('simple'::regconfig, {body}), 'B')) STORED,
            ALTER COLUMN terms_tsv SET STORAGE MAIN""",
        f"CREATE INDEX search_doc_terms_tsv ON {TABLE} USING GIN (terms_tsv)",
        # The new column has no planner statistics until autovacuum gets to it.
        f"ANALYZE {TABLE}",
    ]


POSTGRES_FORWARD = _terms_tsv("replace(title_terms, '_', '0')", "replace(body_terms, '_', '0')")
POSTGRES_BACKWARD = _terms_tsv("title_terms", "body_terms")


def _run(schema_editor, statements: list[str]) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    _run(schema_editor, POSTGRES_FORWARD)


def backwards(apps, schema_editor):
    _run(schema_editor, POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("search", "0008_index_state")]

    operations = [migrations.RunPython(forwards, backwards)]
