"""Feeds remember the password they were made under (FeedToken.serves)."""

from django.db import migrations, models
from django.utils.crypto import salted_hmac


def fingerprint_existing_feeds(apps, schema_editor):
    # Feeds that exist before this migration keep working until the next password change.
    FeedToken = apps.get_model("booking", "FeedToken")
    for feed in FeedToken._base_manager.select_related("user"):
        feed.password_fingerprint = salted_hmac(
            "anlaufstelle.booking.FeedToken.password",
            feed.user.password or "",
            algorithm="sha256",
        ).hexdigest()
        feed.save(update_fields=["password_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0005_privacy_and_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedtoken",
            name="password_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(fingerprint_existing_feeds, migrations.RunPython.noop),
    ]
