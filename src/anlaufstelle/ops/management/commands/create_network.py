"""manage.py create_network: onboard a network in one step (see docs/deployment.md).

    manage.py create_network --slug uckermark --name "Fachkräftenetzwerk Uckermark" \\
        --bundesland BB --hostname fachkraefte-uckermark.de --accent-color "#0f2d7a" \\
        --partners partner.csv --template feldberg \\
        --coordinator koordination@uckermark.example --coordinator-name "Jana Beispiel"

Running it again with the same input changes nothing and invites nobody again;
`--resend-invitation` sends the coordinator a fresh link (the old one stops working).
"""

from __future__ import annotations

import smtplib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from anlaufstelle.networks.invitations import send_invitation
from anlaufstelle.networks.models import User

from ...onboarding import NetworkSpec, OnboardingError, create_network, read_partners


class Command(BaseCommand):
    help = "Create or update a network with partners, a template and its first coordinator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short name in URLs, e.g. uckermark")
        parser.add_argument("--name", required=True)
        parser.add_argument("--bundesland", required=True, help="two letters, e.g. BB")
        parser.add_argument("--hostname", action="append", default=[], help="repeatable")
        parser.add_argument("--short-name", default="")
        parser.add_argument("--tagline", default="")
        parser.add_argument("--accent-color", default="", help="#rrggbb, contrast ≥ 4.5:1")
        parser.add_argument("--logo", type=Path, help="SVG or PNG file")
        parser.add_argument("--logo-alt", default="")
        parser.add_argument("--partners", type=Path, help="CSV file (see docs/deployment.md)")
        parser.add_argument("--template", default="", help="slug of a network to copy from")
        parser.add_argument("--coordinator", default="", help="e-mail of the first coordinator")
        parser.add_argument("--coordinator-name", default="", help="first and last name")
        parser.add_argument(
            "--invited-by", default="", help="operator account named in the invitation"
        )
        parser.add_argument("--resend-invitation", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("de"):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        inviter = self._inviter(options) if options["coordinator"] else None
        partners = []
        if options["partners"]:
            try:
                text = options["partners"].read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(
                    _("The partner file cannot be read as UTF-8 text: %(error)s")
                    % {"error": type(error).__name__}
                ) from error
            try:
                partners = read_partners(text)
            except OnboardingError as error:
                raise CommandError(self._listing(error)) from error
        first, _space, last = options["coordinator_name"].strip().partition(" ")
        spec = NetworkSpec(
            slug=options["slug"].strip(),
            name=options["name"].strip(),
            bundesland=options["bundesland"].strip().upper(),
            hostnames=[h.strip().lower() for h in options["hostname"] if h.strip()],
            short_name=options["short_name"].strip(),
            tagline=options["tagline"].strip(),
            accent_color=options["accent_color"].strip(),
            logo=options["logo"],
            logo_alt=options["logo_alt"].strip(),
            partners=partners,
            template=options["template"].strip(),
            coordinator_email=options["coordinator"].strip(),
            coordinator_first_name=first,
            coordinator_last_name=last.strip(),
        )
        try:
            result = create_network(spec)
        except OnboardingError as error:
            raise CommandError(self._listing(error)) from error

        network = result.network
        self.stdout.write(
            (
                _("Network “%(name)s” (%(slug)s) created.")
                if result.network_created
                else _("Network “%(name)s” (%(slug)s) is up to date.")
            )
            % {"name": network.name, "slug": network.slug}
        )
        self.stdout.write(
            _("Partners: %(created)d new, %(updated)d updated.")
            % {"created": result.partners_created, "updated": result.partners_updated}
        )
        if spec.template:
            self.stdout.write(
                _("From “%(template)s”: %(synonyms)d synonym groups, consent texts %(consent)s.")
                % {
                    "template": spec.template,
                    "synonyms": result.synonyms_copied,
                    "consent": _("copied") if result.case_settings_copied else _("unchanged"),
                }
            )
        coordinator = result.coordinator
        if coordinator is None:
            return
        if not (result.coordinator_created or options["resend_invitation"]):
            self.stdout.write(
                _("Coordinator %(email)s exists already; no new invitation (--resend-invitation).")
                % {"email": coordinator.email}
            )
            return
        if coordinator.has_usable_password():
            self.stdout.write(
                _("Coordinator %(email)s has already chosen a password.")
                % {"email": coordinator.email}
            )
            return
        assert inviter is not None
        try:
            send_invitation(user=coordinator, by=inviter)
        except (smtplib.SMTPException, OSError) as error:
            raise CommandError(
                _(
                    "The network is saved, but the invitation to %(email)s could not be sent "
                    "(%(error)s). Run the command again with --resend-invitation."
                )
                % {"email": coordinator.email, "error": type(error).__name__}
            ) from error
        self.stdout.write(_("Invitation sent to %(email)s.") % {"email": coordinator.email})

    def _inviter(self, options: dict[str, Any]) -> User:
        operators = User.objects.filter(is_superuser=True, is_active=True)
        if options["invited_by"]:
            inviter = operators.filter(email=options["invited_by"].strip().lower()).first()
        else:
            inviter = operators.order_by("pk").first()
        if inviter is None:
            raise CommandError(
                _(
                    "The invitation names an operator account as the sender: create one first "
                    "(createsuperuser) or name it with --invited-by."
                )
            )
        return inviter

    def _listing(self, error: OnboardingError) -> str:
        lines = [_("Nothing was saved. Please correct:")]
        lines += [f"  - {message}" for message in error.errors]
        return "\n".join(lines)
