# ruff: noqa: S608 - fixed table names, no user input
"""Per-network index state kept by triggers, and the corpus words in a table.

`SearchIndexState` replaces the grouped count over every index row that each searching
process ran once a second (344 ms at 125,000 rows, docs/scaling.md) with a read of one
row per network. Triggers keep it in step with whatever writes `search_searchdocument`:
PostgreSQL with statement-level triggers (one upsert per statement and network, via
transition tables), SQLite with row triggers. A DELETE only updates (never inserts), so
a flush that empties both tables leaves no stale state behind.

`SearchCorpusWord` holds the corpus words of the compound lexicon (see lexicon.py),
so a process no longer builds the snapshot of every network to learn them. Both are
filled here from the rows already indexed.
"""

from collections import Counter

from django.db import migrations, models

DOC = "search_searchdocument"
STATE = "search_searchindexstate"

PG_FORWARD = f"""
CREATE FUNCTION search_state_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {STATE} AS s (network_id, rows, version, changed_at, source_hash)
  SELECT network_id, count(*), 1, clock_timestamp(), '' FROM new_rows GROUP BY network_id
  ON CONFLICT (network_id) DO UPDATE
    SET rows = s.rows + EXCLUDED.rows, version = s.version + 1, changed_at = clock_timestamp();
  RETURN NULL;
END $$;
CREATE FUNCTION search_state_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {STATE} SET version = version + 1, changed_at = clock_timestamp()
  WHERE network_id IN (SELECT network_id FROM new_rows UNION SELECT network_id FROM old_rows);
  RETURN NULL;
END $$;
CREATE FUNCTION search_state_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {STATE} s SET rows = s.rows - d.n, version = s.version + 1,
    changed_at = clock_timestamp()
  FROM (SELECT network_id, count(*) AS n FROM old_rows GROUP BY network_id) d
  WHERE s.network_id = d.network_id;
  RETURN NULL;
END $$;
CREATE TRIGGER search_state_ai AFTER INSERT ON {DOC}
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search_state_insert();
CREATE TRIGGER search_state_au AFTER UPDATE ON {DOC}
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION search_state_update();
CREATE TRIGGER search_state_ad AFTER DELETE ON {DOC}
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search_state_delete();
"""
PG_BACKWARD = f"""
DROP TRIGGER IF EXISTS search_state_ai ON {DOC};
DROP TRIGGER IF EXISTS search_state_au ON {DOC};
DROP TRIGGER IF EXISTS search_state_ad ON {DOC};
DROP FUNCTION IF EXISTS search_state_insert();
DROP FUNCTION IF EXISTS search_state_update();
DROP FUNCTION IF EXISTS search_state_delete();
"""
NOW = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
SQLITE_FORWARD = [
    f"""CREATE TRIGGER search_state_ai AFTER INSERT ON {DOC} BEGIN
  INSERT OR IGNORE INTO {STATE} (network_id, rows, version, changed_at, source_hash)
    VALUES (NEW.network_id, 0, 0, {NOW}, '');
  UPDATE {STATE} SET rows = rows + 1, version = version + 1, changed_at = {NOW}
    WHERE network_id = NEW.network_id;
END""",
    f"""CREATE TRIGGER search_state_au AFTER UPDATE ON {DOC} BEGIN
  UPDATE {STATE} SET version = version + 1, changed_at = {NOW}
    WHERE network_id IN (NEW.network_id, OLD.network_id);
END""",
    f"""CREATE TRIGGER search_state_ad AFTER DELETE ON {DOC} BEGIN
  UPDATE {STATE} SET rows = rows - 1, version = version + 1, changed_at = {NOW}
    WHERE network_id = OLD.network_id;
END""",
]
SQLITE_BACKWARD = [f"DROP TRIGGER IF EXISTS search_state_{op}" for op in ("ai", "au", "ad")]


def forwards(apps, schema_editor):
    from django.utils import timezone

    from anlaufstelle.search.analysis import tokenize
    from anlaufstelle.search.lexicon import lexicon_words

    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif conn.vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchIndexState = apps.get_model("search", "SearchIndexState")
    SearchCorpusWord = apps.get_model("search", "SearchCorpusWord")
    now = timezone.now()
    counts = Counter()
    rows = Counter()
    docs = SearchDocument.objects.values_list("network_id", "title", "body")
    for network_id, title, body in docs.iterator(chunk_size=2000):
        rows[network_id] += 1
        counts.update(lexicon_words([*tokenize(title), *tokenize(body)]))
    SearchIndexState.objects.bulk_create(
        [SearchIndexState(network_id=0, rows=0, version=1, changed_at=now)]
        + [
            SearchIndexState(network_id=n, rows=c, version=1, changed_at=now)
            for n, c in rows.items()
        ]
    )
    SearchCorpusWord.objects.bulk_create(
        (SearchCorpusWord(word=w, rows=c) for w, c in counts.items()), batch_size=2000
    )


def backwards(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif conn.vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0007_field_labels")]

    operations = [
        migrations.CreateModel(
            name="SearchCorpusWord",
            fields=[
                ("word", models.CharField(max_length=255, primary_key=True, serialize=False)),
                ("rows", models.IntegerField(default=0)),
            ],
            options={"verbose_name": "corpus word", "verbose_name_plural": "corpus words"},
        ),
        migrations.CreateModel(
            name="SearchIndexState",
            fields=[
                ("network_id", models.BigIntegerField(primary_key=True, serialize=False)),
                ("rows", models.IntegerField(default=0)),
                ("version", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(blank=True, null=True)),
                ("source_hash", models.CharField(blank=True, max_length=64)),
            ],
            options={
                "verbose_name": "search index state",
                "verbose_name_plural": "search index states",
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
