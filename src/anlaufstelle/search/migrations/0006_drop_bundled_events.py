"""Drop the event results indexed from the bundled demo catalog on every installation.

They were fictional and undated (see search/sources.py). The demo indexes dated demo
events again on its next `rebuild_index` when it opts in (SEARCH_DEMO_EVENTS).
"""

from django.db import migrations


def drop_events(apps, schema_editor) -> None:
    SearchDocument = apps.get_model("search", "SearchDocument")
    SearchDocument._base_manager.filter(kind="event").delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0005_terms_tsv_in_row")]

    operations = [migrations.RunPython(drop_events, migrations.RunPython.noop)]
