"""The last run of each periodic job: what the scheduler claims, and operators read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


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


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("waiting")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class MailDelivery(models.Model):
    """One outgoing e-mail, rendered and stored before the first try, so no mail is lost
    when the mail server is down or the worker dies: retried with back-off, then marked
    failed for the back office ("send again"). Rows are deleted by retention (ops.outbox).

    `network` is empty for mail that belongs to no network (staff accounts); only
    operators see those. A coordinator sees the rows of their own network.
    """

    network = models.ForeignKey(
        "networks.Network",
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=120, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    # [[filename, base64 content, mimetype], ...]
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MailStatus.choices, default=MailStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = ScopedManager(network="network")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return self.subject
