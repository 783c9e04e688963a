"""The last run of each periodic job: what the scheduler claims, and operators read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class JobRun(models.Model):
    """One row per periodic job (not per run): claimed with a conditional UPDATE, so two
    schedulers (a restart overlapping, two hosts) never run the same job twice a day."""

    name = models.CharField(_("job"), max_length=80, unique=True)
    started_at = models.DateTimeField(_("last start"), null=True, blank=True)
    finished_at = models.DateTimeField(_("last end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=JobStatus.choices, blank=True)
    output = models.TextField(_("output of the last run"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")

    def __str__(self) -> str:
        return self.name
