"""Pages the coordinator edits: imprint, privacy, accessibility statement."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anlaufstelle.networks.scoping import TenantModel


class LegalPageKind(models.TextChoices):
    IMPRINT = "impressum", _("Imprint")
    PRIVACY = "datenschutz", _("Privacy")
    ACCESSIBILITY = "barrierefreiheit", _("Accessibility statement")


class LegalPage(TenantModel):
    kind = models.CharField(_("kind"), max_length=30, choices=LegalPageKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text; blank lines separate paragraphs."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        constraints = [
            models.UniqueConstraint(fields=["network", "kind"], name="one_legal_page_per_kind")
        ]

    def __str__(self) -> str:
        return self.title

    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]
