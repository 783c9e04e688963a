"""The outbox: every e-mail is stored before it is sent, and retried until it is out.

`deliver()` stores the rendered message and tries it at once. When the mail server
refuses or is down, the row waits with back-off (`retry_delays()`), retried by a deferred
task and, as a safety net, by the scheduler's `retry_mail` job every minute. After the
last attempt the row is `failed` and shows in the back office with "send again".

At least once: a worker killed between the SMTP answer and the status update leaves the
row `sending`; after SENDING_STALE_AFTER it is tried again (a rare duplicate beats a lost
mail). Each attempt is claimed by a conditional UPDATE, so the task and the scheduler
never send the same row twice at the same time.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_scopes import scopes_disabled

from .models import MailDelivery, MailStatus

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; one more attempt than waits.
# About 22 hours in all: a mail server down overnight does not lose a mail.
DEFAULT_RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
    timedelta(hours=12),
)
# A row left `sending` this long belongs to a worker that died mid-send.
SENDING_STALE_AFTER = timedelta(minutes=10)
MAX_ERROR = 1000


def retry_delays() -> tuple[timedelta, ...]:
    return tuple(getattr(settings, "MAIL_RETRY_DELAYS", DEFAULT_RETRY_DELAYS))


def max_attempts() -> int:
    return len(retry_delays()) + 1


def deliver(message: EmailMessage, *, network_id: int | None, kind: str = "") -> MailDelivery:
    """Store `message` and try to send it now; a failure is kept for a later attempt.

    Never raises for a mail-server problem: the caller's work (a booking, a concern) is
    done, and the mail follows when the server answers again.
    """
    now = timezone.now()
    with scopes_disabled():
        delivery = MailDelivery.objects.create(
            network_id=network_id,
            kind=kind[:120],
            recipients=list(message.to),
            reply_to=list(message.reply_to),
            subject=message.subject[:300],
            body=str(message.body),
            attachments=[_attachment_json(a) for a in message.attachments],
            status=MailStatus.SENDING,
            attempts=1,
            claimed_at=now,
        )
    _send_claimed(delivery, now)
    return delivery


def attempt(delivery_id: int, now: datetime | None = None) -> MailStatus | None:
    """Try a waiting row whose time has come; None when it is not ours to send."""
    now = now or timezone.now()
    with scopes_disabled():
        claimed = MailDelivery.objects.filter(
            pk=delivery_id, status=MailStatus.QUEUED, next_attempt_at__lte=now
        ).update(status=MailStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now)
        if not claimed:
            return None
        delivery = MailDelivery.objects.get(pk=delivery_id)
    return _send_claimed(delivery, now)


def retry_due(now: datetime | None = None) -> dict[str, int]:
    """Scheduler job: release rows of dead workers, then try every row that is due."""
    now = now or timezone.now()
    with scopes_disabled():
        stale = Q(status=MailStatus.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER)
        released = MailDelivery.objects.filter(stale).update(
            status=MailStatus.QUEUED, next_attempt_at=now
        )
        due = list(
            MailDelivery.objects.filter(
                status=MailStatus.QUEUED, next_attempt_at__lte=now
            ).values_list("pk", flat=True)
        )
    results = [attempt(pk, now) for pk in due]
    return {
        "released": released,
        "sent": results.count(MailStatus.SENT),
        "waiting": results.count(MailStatus.QUEUED),
        "failed": results.count(MailStatus.FAILED),
    }


def send_again(deliveries: Iterable[MailDelivery]) -> dict[MailStatus, int]:
    """Back office "send again": a fresh round of attempts, the first one now.

    Returns how many rows ended sent / waiting (failed again, will retry)."""
    now = timezone.now()
    counts = {MailStatus.SENT: 0, MailStatus.QUEUED: 0, MailStatus.FAILED: 0}
    for delivery in deliveries:
        with scopes_disabled():
            claimed = MailDelivery.objects.filter(
                pk=delivery.pk, status__in=[MailStatus.FAILED, MailStatus.QUEUED]
            ).update(status=MailStatus.SENDING, attempts=1, claimed_at=now)
            if not claimed:
                continue  # sent meanwhile, or another attempt is running
            delivery.refresh_from_db()
        status = _send_claimed(delivery, now)
        counts[status] = counts.get(status, 0) + 1
    return counts


def prune(*, sent_days: int, failed_days: int, now: datetime | None = None) -> int:
    """Retention: delete sent rows after `sent_days`, failed ones after `failed_days`
    (they hold names and addresses). Returns the number deleted."""
    now = now or timezone.now()
    with scopes_disabled():
        old_sent = Q(status=MailStatus.SENT, sent_at__lt=now - timedelta(days=sent_days))
        old_failed = Q(status=MailStatus.FAILED, created_at__lt=now - timedelta(days=failed_days))
        deleted, _ = MailDelivery.objects.filter(old_sent | old_failed).delete()
    return deleted


def forget_address(*, network_id: int | None, address: str) -> int:
    """Erasure on request: delete the network's rows to or about `address` (also those
    still waiting: nobody is written to after asking to be forgotten). Returns the count.

    About: staff notifications quote the company's address in their text."""
    needle = address.strip().lower()
    if not needle:
        return 0
    with scopes_disabled():
        # None: the rows of no network (staff mail).
        rows = MailDelivery.objects.all()
        if network_id is None:
            rows = rows.filter(network__isnull=True)
        else:
            rows = rows.filter(network_id=network_id)
        doomed = [
            pk
            for pk, recipients in rows.values_list("pk", "recipients")
            if needle in (r.lower() for r in recipients)
        ]
        doomed += rows.filter(body__icontains=needle).values_list("pk", flat=True)
        deleted, _ = MailDelivery.objects.filter(pk__in=doomed).delete()
    return deleted


def _send_claimed(delivery: MailDelivery, now: datetime) -> MailStatus:
    """Send a row we hold in `sending`; record the outcome and plan the next attempt."""
    try:
        _message(delivery).send()
    except Exception as error:  # any failure keeps the mail for a later attempt
        return _failed_attempt(delivery, error, now)
    with scopes_disabled():
        MailDelivery.objects.filter(pk=delivery.pk).update(
            status=MailStatus.SENT, sent_at=timezone.now(), next_attempt_at=None
        )
    log.info("mail sent", extra={"mail": delivery.pk, "attempt": delivery.attempts})
    return MailStatus.SENT


def _failed_attempt(delivery: MailDelivery, error: Exception, now: datetime) -> MailStatus:
    reason = f"{type(error).__name__}: {error}"[:MAX_ERROR]
    delays = retry_delays()
    if delivery.attempts > len(delays):
        status, next_at = MailStatus.FAILED, None
        log.error("mail failed for good", extra={"mail": delivery.pk, "error": reason})
    else:
        status, next_at = MailStatus.QUEUED, now + delays[delivery.attempts - 1]
        log.warning("mail not sent, will retry", extra={"mail": delivery.pk, "error": reason})
    with scopes_disabled():
        MailDelivery.objects.filter(pk=delivery.pk).update(
            status=status, last_error=reason, next_attempt_at=next_at
        )
    if next_at is not None:
        _schedule(delivery.pk, next_at)
    return status


def _schedule(delivery_id: int, run_after: datetime) -> None:
    """A deferred task for the next attempt, where the task backend can defer.

    The scheduler's `retry_mail` job covers backends that cannot (and lost tasks)."""
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return

    def enqueue() -> None:
        from .tasks import deliver_mail

        deliver_mail.using(run_after=run_after).enqueue(delivery_id)

    transaction.on_commit(enqueue)


def _message(delivery: MailDelivery) -> EmailMessage:
    message = EmailMessage(
        subject=delivery.subject,
        body=delivery.body,
        to=delivery.recipients,
        reply_to=delivery.reply_to or None,
    )
    for filename, content, mimetype in delivery.attachments:
        message.attach(filename, base64.b64decode(content), mimetype)
    return message


def _attachment_json(attachment: Sequence) -> list[str]:
    filename, content, mimetype = attachment
    raw = content.encode() if isinstance(content, str) else bytes(content)
    return [filename, base64.b64encode(raw).decode("ascii"), mimetype or ""]
