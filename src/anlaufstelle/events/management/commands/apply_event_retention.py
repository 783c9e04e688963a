"""Daily job: anonymise registrations past their network's retention period."""

from django.core.management.base import BaseCommand

from anlaufstelle.events.privacy import apply_retention


class Command(BaseCommand):
    help = "Anonymise event registrations past the retention period."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{apply_retention()} registration(s) anonymised")
