"""`manage.py check_deployment`: is this configuration fit to start? (`make prod-check`)"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from anlaufstelle.ops.deploy_check import FAIL, WARN, run_all


class Command(BaseCommand):
    help = (
        "Checks a production configuration before start: check --deploy, SECRET_KEY, host "
        "names, database, Redis and the SMTP server. Exits 1 when anything fails."
    )
    # Our own run of the deployment checks reports them with the rest.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        findings = run_all()
        for finding in findings:
            line = f"{finding.level:<4}  {finding.topic}: {finding.message}"
            if finding.level == FAIL:
                self.stdout.write(self.style.ERROR(line))
            elif finding.level == WARN:
                self.stdout.write(self.style.WARNING(line))
            else:
                self.stdout.write(line)
        failed = [f.topic for f in findings if f.level == FAIL]
        if failed:
            raise CommandError(
                f"the configuration is not fit to start ({', '.join(failed)}); see above"
            )
        self.stdout.write("check_deployment: the configuration is fit to start")
