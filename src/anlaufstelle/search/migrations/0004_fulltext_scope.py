"""Scope and store the full-text indexes so a query never ranks rows it cannot show.

SQLite: the FTS5 tables get a third column, `network_id` (bm25 weight 0), so the scope
filter is a term of the MATCH (`network_id : ("1" OR "3")`), intersected inside FTS5,
instead of a join with the documents table for every matching row — at 100,000 rows
that join cost more than the ranking itself.

PostgreSQL: stored, generated `tsvector` columns with GIN indexes replace the
expression indexes: `ts_rank` needs each candidate's tsvector, and recomputing it
from the text for every matching row dominated the query time.
"""

from django.db import migrations

SQLITE_CREATE = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms, network_id,
        content='search_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2 tokenchars '_'")""",
    """CREATE VIRTUAL TABLE search_fts_plain USING fts5(
        title, body, network_id, content='search_searchdocument', content_rowid='id')""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms, network_id)
            VALUES (new.id, new.title_terms, new.body_terms, new.network_id);
        INSERT INTO search_fts_plain(rowid, title, body, network_id)
            VALUES (new.id, new.title, new.body, new.network_id);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, network_id)
            VALUES ('delete', old.id, old.title_terms, old.body_terms, old.network_id);
        INSERT INTO search_fts_plain(search_fts_plain, rowid, title, body, network_id)
            VALUES ('delete', old.id, old.title, old.body, old.network_id);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE OF title, body, title_terms, body_terms,
        network_id ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, network_id)
            VALUES ('delete', old.id, old.title_terms, old.body_terms, old.network_id);
        INSERT INTO search_fts_plain(search_fts_plain, rowid, title, body, network_id)
            VALUES ('delete', old.id, old.title, old.body, old.network_id);
        INSERT INTO search_fts(rowid, title_terms, body_terms, network_id)
            VALUES (new.id, new.title_terms, new.body_terms, new.network_id);
        INSERT INTO search_fts_plain(rowid, title, body, network_id)
            VALUES (new.id, new.title, new.body, new.network_id);
    END""",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    "INSERT INTO search_fts_plain(search_fts_plain) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts_plain",
    "DROP TABLE IF EXISTS search_fts",
]

POSTGRES_CREATE = [
    "DROP INDEX IF EXISTS search_doc_plain_gin",
    "DROP INDEX IF EXISTS search_doc_terms_gin",
    """ALTER TABLE search_searchdocument ADD COLUMN terms_tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title_terms), 'A') ||
        setweight(to_tsvector('simple'::regconfig, body_terms), 'B')) STORED""",
    """ALTER TABLE search_searchdocument ADD COLUMN plain_tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, body), 'B')) STORED""",
    "CREATE INDEX search_doc_terms_tsv ON search_searchdocument USING GIN (terms_tsv)",
    "CREATE INDEX search_doc_plain_tsv ON search_searchdocument USING GIN (plain_tsv)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_doc_plain_tsv",
    "DROP INDEX IF EXISTS search_doc_terms_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS plain_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS terms_tsv",
    """CREATE INDEX search_doc_terms_gin ON search_searchdocument USING GIN (
        (setweight(to_tsvector('simple'::regconfig, title_terms), 'A') ||
         setweight(to_tsvector('simple'::regconfig, body_terms), 'B')))""",
    """CREATE INDEX search_doc_plain_gin ON search_searchdocument USING GIN (
        (setweight(to_tsvector('simple'::regconfig, title), 'A') ||
         setweight(to_tsvector('simple'::regconfig, body), 'B')))""",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        from importlib import import_module

        previous = import_module("anlaufstelle.search.migrations.0002_fulltext")
        _run(schema_editor, SQLITE_DROP)
        _run(schema_editor, previous.SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_sparse_vector")]

    operations = [migrations.RunPython(forwards, backwards)]
