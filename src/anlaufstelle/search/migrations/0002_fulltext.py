"""Full-text indexes, per database: FTS5 tables with triggers on SQLite, GIN on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = [
    # Analysed terms: "_" is part of a token so synonym tokens (syn_azubi) stay whole.
    """CREATE VIRTUAL TABLE search_fts USING fts5(
        title_terms, body_terms,
        content='search_searchdocument', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2 tokenchars '_'")""",
    # Raw text for the `plain` baseline: FTS5's default tokenizer, nothing else.
    """CREATE VIRTUAL TABLE search_fts_plain USING fts5(
        title, body, content='search_searchdocument', content_rowid='id')""",
    """CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN
        INSERT INTO search_fts(rowid, title_terms, body_terms)
            VALUES (new.id, new.title_terms, new.body_terms);
        INSERT INTO search_fts_plain(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
            VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO search_fts_plain(search_fts_plain, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_fts_au AFTER UPDATE OF title, body, title_terms, body_terms
        ON search_searchdocument BEGIN
        INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms)
            VALUES ('delete', old.id, old.title_terms, old.body_terms);
        INSERT INTO search_fts_plain(search_fts_plain, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_fts(rowid, title_terms, body_terms)
            VALUES (new.id, new.title_terms, new.body_terms);
        INSERT INTO search_fts_plain(rowid, title, body) VALUES (new.id, new.title, new.body);
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

# The expressions must match backends.PG_VECTOR exactly for the planner to use them.
POSTGRES_CREATE = [
    """CREATE INDEX search_doc_terms_gin ON search_searchdocument USING GIN (
        (setweight(to_tsvector('simple'::regconfig, title_terms), 'A') ||
         setweight(to_tsvector('simple'::regconfig, body_terms), 'B')))""",
    """CREATE INDEX search_doc_plain_gin ON search_searchdocument USING GIN (
        (setweight(to_tsvector('simple'::regconfig, title), 'A') ||
         setweight(to_tsvector('simple'::regconfig, body), 'B')))""",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_doc_plain_gin",
    "DROP INDEX IF EXISTS search_doc_terms_gin",
]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
