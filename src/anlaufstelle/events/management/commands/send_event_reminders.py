"""Daily job: remind registrants of tomorrow's events (with the online link)."""

from django.core.management.base import BaseCommand

from anlaufstelle.events.tasks import send_due_reminders


class Command(BaseCommand):
    help = "Send the day-before reminders of events."

    def handle(self, *args: object, **options: object) -> None:
        sent = send_due_reminders()
        self.stdout.write(f"{sent} reminder(s) sent")
