"""Every write of the navigators' desk. Views, commands and tasks call these; none of them
writes a concern, a referral, a timeline entry or an e-mail by hand.

State changes are conditional updates (`filter(status=OLD).update(...)`) so that two
people acting on the same concern at once cannot both win; every change leaves a
TimelineEntry. Nothing is deleted: `erase` and `apply_retention` blank personal data,
including the appointments booked from a concern (`booking.privacy`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from anlaufstelle.booking import privacy as booking_privacy
from anlaufstelle.booking.models import Booking
from anlaufstelle.directory.models import Provider
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.networks.scoping import network_scope

from . import signals, workdays
from .models import (
    OPEN_REFERRAL_STATUSES,
    OPEN_STATUSES,
    Actor,
    Concern,
    ConcernStatus,
    EventKind,
    InternalNote,
    Message,
    NetworkCaseSettings,
    Outcome,
    Referral,
    ReferralStatus,
    TimelineEntry,
    Urgency,
)

log = logging.getLogger(__name__)

MAX_TEXT = 5000
MIN_TEXT = 10
MAX_MESSAGE = 5000
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
DUE_WORKING_DAYS: dict[str, int] = {"urgent": 1, "soon": 3, "normal": 5}
ERASED = "[gelöscht]"
NAVIGATOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)


class CaseError(Exception):
    """A refusal the user can act on; `message` is translated and shown as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def settings_for(network: Network) -> NetworkCaseSettings:
    """The network's desk settings (an unsaved default row when the coordinator set none)."""
    with scopes_disabled():
        row = NetworkCaseSettings.objects.filter(network=network).first()
    return row or NetworkCaseSettings(network=network)


def check_text(text: str, *, field: str = "text", maximum: int = MAX_TEXT) -> str:
    """The stripped text, or CaseError with a message that says what to change."""
    text = (text or "").strip()
    if field == "text" and len(text) < MIN_TEXT:
        raise CaseError(_("Please describe your concern in a few words (at least 10 characters)."))
    if not text:
        raise CaseError(_("Please write a message."))
    if len(text) > maximum:
        raise CaseError(
            _("Please shorten your text to at most %(max)s characters (now %(count)s).")
            % {"max": maximum, "count": len(text)}
        )
    if HTML_TAG.search(text):
        raise CaseError(_("Please write plain text without HTML tags such as <script>."))
    return text


def _actor_for(user: Any) -> str:
    if user is None:
        return Actor.SYSTEM
    if getattr(user, "role", "") == Role.PARTNER_EXPERT:
        return Actor.PARTNER
    return Actor.NAVIGATOR


def _log(
    concern: Concern,
    kind: str,
    *,
    actor: str | None = None,
    user: Any = None,
    detail: str = "",
    public: bool = True,
) -> TimelineEntry:
    return TimelineEntry.objects.create(
        network_id=concern.network_id,
        concern=concern,
        kind=kind,
        actor=actor or _actor_for(user),
        user=user,
        detail=detail[:300],
        public=public,
    )


def _touch(concern: Concern, now: datetime | None = None, **changes: Any) -> None:
    """Record a staff action: the 'untouched' clock starts again."""
    now = now or timezone.now()
    Concern.objects.filter(pk=concern.pk).update(touched_at=now, reminded_at=None, **changes)
    concern.refresh_from_db()


_silenced: ContextVar[bool] = ContextVar("cases_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """No e-mails for the writes inside (demo data): the demo addresses do not exist."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def _on_commit(task_name: str, *args: Any) -> None:
    if _silenced.get():
        return

    def run() -> None:
        from . import tasks

        getattr(tasks, task_name).enqueue(*args)

    transaction.on_commit(run)


# --- company ---------------------------------------------------------------------------


def submit_concern(
    *,
    network: Network,
    text: str,
    contact_name: str,
    email: str,
    company_name: str = "",
    phone: str = "",
    wz_section: str = "",
    size_class: str = "",
    municipality: str = "",
    postcode: str = "",
    urgency: str = Urgency.NORMAL,
    consent: bool,
    share_consent: bool = False,
    idempotency_key: str | None = None,
    language: str = "de",
    now: datetime | None = None,
) -> Concern:
    """Record a company's concern with its consent; replaying `idempotency_key` returns it.

    Sends the receipt with the status link and tells the navigators (after commit).
    """
    if idempotency_key:
        with scopes_disabled():
            existing = Concern.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.network_id != network.pk or existing.email.lower() != email.lower():
                raise CaseError(_("This form was already sent for another concern."))
            return existing
    if not consent:
        raise CaseError(_("Please agree to the processing of your data."))
    if not email.strip():
        raise CaseError(_("Please give an e-mail address so that we can answer you."))
    text = check_text(text)
    now = now or timezone.now()
    desk = settings_for(network)
    due = workdays.add_working_days(
        timezone.localdate(now), DUE_WORKING_DAYS.get(urgency, 5), network.bundesland
    )
    try:
        with transaction.atomic():
            concern = Concern.objects.create(
                network=network,
                text=text,
                contact_name=contact_name.strip(),
                company_name=company_name.strip(),
                email=email.strip().lower(),
                phone=phone.strip(),
                wz_section=wz_section,
                size_class=size_class,
                municipality=municipality.strip(),
                postcode=postcode.strip(),
                urgency=urgency or Urgency.NORMAL,
                language=language,
                consent_at=now,
                consent_text=desk.consent_text,
                share_consent_at=now if share_consent else None,
                share_consent_text=desk.share_consent_text if share_consent else "",
                share_consent_source="company" if share_consent else "",
                due_date=due,
                touched_at=now,
                idempotency_key=idempotency_key or None,
            )
            _log(concern, EventKind.SUBMITTED, actor=Actor.COMPANY)
            if share_consent:
                _log(concern, EventKind.CONSENT_RECORDED, actor=Actor.COMPANY)
            _on_commit("send_receipt", concern.pk)
            _on_commit("notify_new_concern", concern.pk)
    except IntegrityError:
        # A double submit raced us to the unique idempotency key: return the first one.
        with scopes_disabled():
            existing = Concern.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return existing
    log.info("concern submitted", extra={"concern": concern.code, "network": network.slug})
    return concern


def add_message(
    *,
    concern: Concern,
    body: str,
    sender: str,
    by: Any = None,
    referral: Referral | None = None,
    notify: bool = True,
) -> Message:
    """A message on the concern; from the company it reopens 'waiting for company'.

    `notify=False` sends no e-mail (the direct chat: the other side is online and saw it).
    """
    if concern.is_anonymised:
        raise CaseError(_("This concern has been erased."))
    body = check_text(body, field="message", maximum=MAX_MESSAGE)
    with transaction.atomic():
        message = Message.objects.create(
            network_id=concern.network_id,
            concern=concern,
            referral=referral,
            sender=sender,
            author=by,
            body=body,
        )
        if sender == Actor.COMPANY:
            Concern.objects.filter(pk=concern.pk, status=ConcernStatus.WAITING_COMPANY).update(
                status=ConcernStatus.ASSIGNED
            )
            _log(concern, EventKind.MESSAGE, actor=Actor.COMPANY)
            if notify:
                _on_commit("notify_staff_of_message", concern.pk, message.pk)
        else:
            _log(concern, EventKind.MESSAGE, user=by)
            _touch(concern)
            if notify:
                _on_commit("notify_company", concern.pk, "message", message.pk)
    concern.refresh_from_db()
    return message


def withdraw_consent(*, concern: Concern, now: datetime | None = None) -> Concern:
    """The company withdraws its consent to pass its data on; open referrals end."""
    now = now or timezone.now()
    with transaction.atomic():
        changed = Concern.objects.filter(
            pk=concern.pk, share_consent_withdrawn_at__isnull=True
        ).update(share_consent_withdrawn_at=now)
        if not changed:
            raise CaseError(_("You have already withdrawn your consent."))
        Referral.objects.filter(concern=concern, status__in=OPEN_REFERRAL_STATUSES).update(
            status=ReferralStatus.CLOSED,
            outcome=Outcome.WITHDRAWN,
            closed_at=now,
        )
        Concern.objects.filter(pk=concern.pk, status=ConcernStatus.WAITING_PARTNER).update(
            status=ConcernStatus.ASSIGNED
        )
        _log(concern, EventKind.CONSENT_WITHDRAWN, actor=Actor.COMPANY)
    concern.refresh_from_db()
    return concern


def export(*, concern: Concern, record: bool = True) -> dict[str, Any]:
    """All data stored about the concern, as JSON-ready dict (Art. 15/20 DSGVO)."""

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    data = {
        "code": concern.code,
        "network": concern.network.name,
        "received": iso(concern.created_at),
        "status": concern.status,
        "concern": concern.text,
        "profile": concern.profile(),
        "contact": {
            "name": concern.contact_name,
            "company": concern.company_name,
            "email": concern.email,
            "phone": concern.phone,
        },
        "consent": {
            "given": iso(concern.consent_at),
            "text": concern.consent_text,
            "pass_on_given": iso(concern.share_consent_at),
            "pass_on_text": concern.share_consent_text,
            "pass_on_withdrawn": iso(concern.share_consent_withdrawn_at),
        },
        "referrals": [
            {"partner": r.provider.name, "status": r.status, "since": iso(r.created_at)}
            for r in concern.referrals.select_related("provider")
        ],
        "messages": [
            {"from": m.sender, "at": iso(m.created_at), "text": m.body}
            for m in concern.messages.all()
        ],
        "timeline": [
            {"at": iso(e.created_at), "what": e.kind, "by": e.actor, "detail": e.detail}
            for e in concern.timeline.filter(public=True)
        ],
        "outcome": concern.outcome,
        "closed": iso(concern.closed_at),
        # Appointments a navigator booked from this concern for the company.
        "appointments": [
            booking_privacy.export_booking(b)
            for b in booking_privacy.bookings_from(booking_privacy.concern_origin(concern.code))
        ],
    }
    if record:
        _log(concern, EventKind.EXPORTED, actor=Actor.COMPANY)
    return data


def erase(
    *, concern: Concern, by: Any = None, actor: str = Actor.COMPANY, now: datetime | None = None
) -> Concern:
    """Anonymise the concern: contact, text, messages and notes are blanked; the profile,
    status and timeline (who/when/what, nothing personal) stay for the statistics.
    Appointments booked from the concern are anonymised with it (upcoming ones cancelled).

    The status link stops working. Used by the company's erasure request and by retention.
    """
    now = now or timezone.now()
    address = Concern.objects.filter(pk=concern.pk).values_list("email", flat=True).first()
    with transaction.atomic():
        changed = Concern.objects.filter(pk=concern.pk, anonymised_at__isnull=True).update(
            text=ERASED,
            contact_name="",
            company_name="",
            email="",
            phone="",
            municipality="",
            postcode="",
            idempotency_key=None,
            anonymised_at=now,
            token_version=F("token_version") + 1,
        )
        if not changed:
            return concern
        booking_privacy.forget_mail(network_id=concern.network_id, address=address or "")
        Message.objects.filter(concern=concern).update(body=ERASED)
        # Upper apps (the direct chat's attachments) erase what they keep about the concern.
        signals.concern_erased.send(sender=Concern, concern=concern)
        booking_privacy.erase_bookings(
            booking_privacy.bookings_from(booking_privacy.concern_origin(concern.code)), now
        )
        InternalNote.objects.filter(concern=concern).update(body=ERASED)
        Referral.objects.filter(concern=concern).update(note=ERASED, reason="")
        was_open = Concern.objects.filter(pk=concern.pk, status__in=OPEN_STATUSES).update(
            status=ConcernStatus.DONE, outcome=Outcome.WITHDRAWN, closed_at=now
        )
        if was_open:
            Referral.objects.filter(concern=concern, status__in=OPEN_REFERRAL_STATUSES).update(
                status=ReferralStatus.CLOSED, outcome=Outcome.WITHDRAWN, closed_at=now
            )
        _log(concern, EventKind.ERASED, actor=actor if by is None else None, user=by)
    concern.refresh_from_db()
    log.info("concern anonymised", extra={"concern": concern.code})
    return concern


# --- navigators ------------------------------------------------------------------------


def _require_staff(user: Any, concern: Concern, roles: Iterable[str]) -> None:
    if user.is_superuser:
        return
    if user.network_id != concern.network_id or not user.has_role(*roles):
        raise CaseError(_("You may not change this concern."))


def _require_open(concern: Concern) -> None:
    if not concern.is_open:
        raise CaseError(_("This concern is already closed."))


def assign(*, concern: Concern, to: User, by: User) -> Concern:
    """Give the concern to a navigator (or coordinator) of its network."""
    _require_staff(by, concern, NAVIGATOR_ROLES)
    _require_open(concern)
    if not to.is_superuser and (
        to.network_id != concern.network_id or not to.has_role(*NAVIGATOR_ROLES)
    ):
        raise CaseError(_("Concerns can only be assigned to navigators of this network."))
    with transaction.atomic():
        status = ConcernStatus.ASSIGNED if concern.status == ConcernStatus.NEW else concern.status
        changed = Concern.objects.filter(pk=concern.pk, status__in=OPEN_STATUSES).update(
            assignee=to, status=status
        )
        if not changed:
            raise CaseError(_("This concern is already closed."))
        _log(concern, EventKind.ASSIGNED, user=by, detail=str(to))
        _touch(concern)
    return concern


def _claim_if_new(concern: Concern, by: User) -> None:
    """The first navigator who acts on a new concern takes it."""
    if concern.assignee_id is None and by.has_role(*NAVIGATOR_ROLES):
        Concern.objects.filter(pk=concern.pk, assignee__isnull=True).update(assignee=by)
    Concern.objects.filter(pk=concern.pk, status=ConcernStatus.NEW).update(
        status=ConcernStatus.ASSIGNED
    )


def ask_company(*, concern: Concern, question: str, by: User) -> Message:
    """Ask the company a question through its status page; waits for the company."""
    _require_staff(by, concern, NAVIGATOR_ROLES)
    _require_open(concern)
    question = check_text(question, field="message", maximum=MAX_MESSAGE)
    with transaction.atomic():
        _claim_if_new(concern, by)
        message = Message.objects.create(
            network_id=concern.network_id,
            concern=concern,
            sender=Actor.NAVIGATOR,
            author=by,
            body=question,
        )
        Concern.objects.filter(pk=concern.pk, status__in=OPEN_STATUSES).update(
            status=ConcernStatus.WAITING_COMPANY
        )
        _log(concern, EventKind.ASKED, user=by)
        _touch(concern)
        _on_commit("notify_company", concern.pk, "question", message.pk)
    return message


def record_share_consent(*, concern: Concern, by: User, now: datetime | None = None) -> Concern:
    """The navigator records that the company agreed (e.g. on the phone) to pass its data on."""
    _require_staff(by, concern, NAVIGATOR_ROLES)
    if concern.share_consent_withdrawn_at is not None:
        raise CaseError(_("The company has withdrawn its consent to pass its data on."))
    now = now or timezone.now()
    changed = Concern.objects.filter(pk=concern.pk, share_consent_at__isnull=True).update(
        share_consent_at=now,
        share_consent_text=settings_for(concern.network).share_consent_text,
        share_consent_source="navigator",
    )
    if changed:
        _log(concern, EventKind.CONSENT_RECORDED, user=by)
    concern.refresh_from_db()
    return concern


def refer(
    *,
    concern: Concern,
    providers: Iterable[Provider],
    note: str,
    by: User,
    consent_confirmed: bool = False,
) -> list[Referral]:
    """Refer the concern to one or more partners with a note.

    The company's consent to pass its data on is recorded first: from the form, or here
    when the navigator confirms it (`consent_confirmed`); without it nothing is sent.
    """
    _require_staff(by, concern, NAVIGATOR_ROLES)
    _require_open(concern)
    providers = list(providers)
    if not providers:
        raise CaseError(_("Please choose at least one partner."))
    if len(note) > MAX_MESSAGE:
        raise CaseError(_("The note is too long."))
    with transaction.atomic():
        if concern.share_consent_withdrawn_at is not None:
            raise CaseError(_("The company has withdrawn its consent to pass its data on."))
        if concern.share_consent_at is None:
            if not consent_confirmed:
                raise CaseError(
                    _("Please confirm that the company agreed to pass its data on to partners.")
                )
            record_share_consent(concern=concern, by=by)
        _claim_if_new(concern, by)
        created = []
        for provider in providers:
            if Referral.objects.filter(
                concern=concern, provider=provider, status__in=OPEN_REFERRAL_STATUSES
            ).exists():
                continue
            referral = Referral.objects.create(
                network_id=concern.network_id,
                concern=concern,
                provider=provider,
                note=note.strip(),
                created_by=by,
            )
            _log(concern, EventKind.REFERRED, user=by, detail=provider.name)
            _on_commit("notify_referral", referral.pk)
            created.append(referral)
        if not created:
            raise CaseError(_("The concern is already with these partners."))
        Concern.objects.filter(pk=concern.pk, status__in=OPEN_STATUSES).update(
            status=ConcernStatus.WAITING_PARTNER
        )
        _touch(concern)
    return created


def add_note(*, concern: Concern, body: str, by: User) -> InternalNote:
    """An internal note for the network's staff (not on the status page)."""
    _require_staff(by, concern, NAVIGATOR_ROLES)
    body = check_text(body, field="message", maximum=MAX_MESSAGE)
    with transaction.atomic():
        note = InternalNote.objects.create(
            network_id=concern.network_id, concern=concern, author=by, body=body
        )
        _log(concern, EventKind.NOTE, user=by, public=False)
        _touch(concern)
    return note


def book_for_company(*, concern: Concern, schedule: Any, starts_at: datetime, by: User) -> Any:
    """Book an appointment on the company's behalf with the concern's contact details."""
    from anlaufstelle.booking import services as booking_services

    _require_staff(by, concern, NAVIGATOR_ROLES)
    _require_open(concern)
    if not concern.email:
        raise CaseError(_("The concern has no e-mail address to book for."))
    try:
        booking = booking_services.book_slot(
            schedule=schedule,
            starts_at=starts_at,
            name=concern.contact_name or concern.company_name or concern.email,
            company=concern.company_name,
            email=concern.email,
            phone=concern.phone,
            concern=concern.text[:2000],
            # The company agreed to the processing of its data when it sent the concern.
            consent=True,
            idempotency_key=f"concern-{concern.code}-{schedule.code}-{starts_at:%Y%m%dT%H%M}",
            language=concern.language,
            booked_by=by,
        )
    except booking_services.BookingError as exc:
        raise CaseError(exc.message) from exc
    with transaction.atomic():
        # Ties the appointment to the concern: exported and erased with it.
        Booking.objects.filter(pk=booking.pk).update(
            origin=booking_privacy.concern_origin(concern.code)
        )
        booking.origin = booking_privacy.concern_origin(concern.code)
        _claim_if_new(concern, by)
        local = timezone.localtime(booking.slot.starts_at)
        _log(
            concern,
            EventKind.BOOKED,
            user=by,
            detail=f"{schedule.title}, {local:%d.%m.%Y %H:%M}",
        )
        _touch(concern)
    return booking


def close_concern(
    *, concern: Concern, outcome: str, by: User, now: datetime | None = None
) -> Concern:
    """Close the concern with an outcome category; open referrals are closed with it."""
    _require_staff(by, concern, NAVIGATOR_ROLES)
    if outcome not in Outcome.values:
        raise CaseError(_("Please choose an outcome."))
    now = now or timezone.now()
    with transaction.atomic():
        changed = Concern.objects.filter(pk=concern.pk, status__in=OPEN_STATUSES).update(
            status=ConcernStatus.DONE, outcome=outcome, closed_at=now, touched_at=now
        )
        if not changed:
            raise CaseError(_("This concern is already closed."))
        Referral.objects.filter(concern=concern, status__in=OPEN_REFERRAL_STATUSES).update(
            status=ReferralStatus.CLOSED, closed_at=now
        )
        _log(concern, EventKind.CLOSED, user=by, detail=outcome)
        _on_commit("notify_company", concern.pk, "closed", None)
    concern.refresh_from_db()
    return concern


# --- partners --------------------------------------------------------------------------


def _require_partner(user: User, referral: Referral) -> None:
    if user.is_superuser:
        return
    if (
        user.network_id != referral.network_id
        or not user.has_role(Role.PARTNER_EXPERT)
        or user.provider_id != referral.provider_id
    ):
        raise CaseError(_("This referral is not for your organisation."))


def _referrals_settled(concern: Concern) -> None:
    """When no partner holds the concern any more, it goes back to the navigator."""
    if not Referral.objects.filter(concern=concern, status__in=OPEN_REFERRAL_STATUSES).exists():
        Concern.objects.filter(pk=concern.pk, status=ConcernStatus.WAITING_PARTNER).update(
            status=ConcernStatus.ASSIGNED
        )


def accept_referral(*, referral: Referral, by: User) -> Referral:
    """The partner takes the concern on."""
    _require_partner(by, referral)
    with transaction.atomic():
        changed = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.PENDING).update(
            status=ReferralStatus.ACCEPTED, decided_by=by, decided_at=timezone.now()
        )
        if not changed:
            raise CaseError(_("This referral has already been answered."))
        _log(referral.concern, EventKind.ACCEPTED, user=by, detail=referral.provider.name)
    referral.refresh_from_db()
    return referral


def decline_referral(*, referral: Referral, by: User, reason: str) -> Referral:
    """The partner declines with a reason (shown to the navigators, not the company)."""
    _require_partner(by, referral)
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(_("Please give a reason for declining."))
    if len(reason) > MAX_MESSAGE:
        raise CaseError(_("The reason is too long."))
    with transaction.atomic():
        changed = Referral.objects.filter(pk=referral.pk, status=ReferralStatus.PENDING).update(
            status=ReferralStatus.DECLINED,
            reason=reason,
            decided_by=by,
            decided_at=timezone.now(),
        )
        if not changed:
            raise CaseError(_("This referral has already been answered."))
        _log(referral.concern, EventKind.DECLINED, user=by, detail=referral.provider.name)
        _referrals_settled(referral.concern)
    referral.refresh_from_db()
    return referral


def reply(*, referral: Referral, by: User, body: str) -> Message:
    """The partner answers the company through its status page (accepting if still pending)."""
    _require_partner(by, referral)
    if referral.status == ReferralStatus.PENDING:
        accept_referral(referral=referral, by=by)
    elif referral.status != ReferralStatus.ACCEPTED:
        raise CaseError(_("This referral is closed."))
    concern = referral.concern
    body = check_text(body, field="message", maximum=MAX_MESSAGE)
    with transaction.atomic():
        message = Message.objects.create(
            network_id=concern.network_id,
            concern=concern,
            referral=referral,
            sender=Actor.PARTNER,
            author=by,
            body=body,
        )
        _log(concern, EventKind.REPLIED, user=by, detail=referral.provider.name)
        _touch(concern)
        _on_commit("notify_company", concern.pk, "message", message.pk)
    return message


def close_referral(*, referral: Referral, by: User, outcome: str) -> Referral:
    """The partner is done with the concern, with an outcome category."""
    _require_partner(by, referral)
    if outcome not in Outcome.values:
        raise CaseError(_("Please choose an outcome."))
    with transaction.atomic():
        changed = Referral.objects.filter(pk=referral.pk, status__in=OPEN_REFERRAL_STATUSES).update(
            status=ReferralStatus.CLOSED, outcome=outcome, closed_at=timezone.now()
        )
        if not changed:
            raise CaseError(_("This referral is closed."))
        _log(referral.concern, EventKind.REFERRAL_CLOSED, user=by, detail=referral.provider.name)
        _referrals_settled(referral.concern)
    referral.refresh_from_db()
    return referral


# --- jobs ------------------------------------------------------------------------------


def untouched_concerns(network: Network, now: datetime | None = None) -> list[Concern]:
    """Open concerns of `network` without a staff action for more than N working days."""
    now = now or timezone.now()
    days = settings_for(network).untouched_days
    today = timezone.localdate(now)
    with network_scope(network):
        candidates = Concern.objects.filter(
            network=network,
            status__in=OPEN_STATUSES,
            touched_at__lt=now - timedelta(days=days),
        ).select_related("assignee", "network")
        return [
            c
            for c in candidates
            if workdays.working_days_between(
                timezone.localdate(c.touched_at), today, network.bundesland
            )
            > days
        ]


def send_untouched_reminders(now: datetime | None = None) -> int:
    """E-mail each assignee (or the navigators) about concerns untouched for too long.

    One reminder per concern until somebody acts on it again. Crosses networks on purpose.
    """
    from . import emails

    now = now or timezone.now()
    sent = 0
    with scopes_disabled():
        networks = list(Network.objects.filter(is_active=True, is_nationwide=False))
    for network in networks:
        # Nobody reads the desk on a weekend or a public holiday of the network's state:
        # the reminder waits for the next working day.
        if not workdays.is_working_day(timezone.localdate(now), network.bundesland):
            continue
        days = settings_for(network).untouched_days
        due = [c for c in untouched_concerns(network, now) if c.reminded_at is None]
        by_recipients: dict[tuple[str, ...], list[Concern]] = {}
        with network_scope(network):
            for concern in due:
                to = tuple(emails.navigator_addresses(concern))
                by_recipients.setdefault(to, []).append(concern)
            for to, concerns in by_recipients.items():
                emails.send_reminder(list(to), concerns, days)
                Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(reminded_at=now)
                sent += len(concerns)
    return sent


def apply_retention(now: datetime | None = None) -> int:
    """Anonymise closed concerns whose retention period (per network) has passed.

    Runs over every network (visibly unscoped); returns how many concerns it anonymised.
    """
    now = now or timezone.now()
    count = 0
    with scopes_disabled():
        networks = list(Network.objects.all())
    for network in networks:
        months = settings_for(network).retention_months
        cutoff = now - timedelta(days=round(months * 30.44))
        with network_scope(network):
            expired = Concern.objects.filter(
                network=network,
                status=ConcernStatus.DONE,
                closed_at__lt=cutoff,
                anonymised_at__isnull=True,
            )
            for concern in expired:
                erase(concern=concern, actor=Actor.SYSTEM, now=now)
                count += 1
    return count


def apply_all_retention(now: datetime | None = None) -> tuple[int, int, int]:
    """The daily data-protection job: closed concerns, then appointments and reservations.

    Returns how many (concerns, appointments, reservations) it anonymised.
    """
    now = now or timezone.now()
    concerns = apply_retention(now)
    bookings, reservations = booking_privacy.apply_retention(now)
    return concerns, bookings, reservations


def overdue_open_concerns(network: Network, now: datetime | None = None) -> list[Concern]:
    """Open concerns received longer ago than the network's retention period.

    Retention only anonymises closed concerns; an open one that old is most likely
    forgotten, so the inbox flags it for the coordinator to close (or erase) it.
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=round(settings_for(network).retention_months * 30.44))
    with network_scope(network):
        return list(
            Concern.objects.filter(
                network=network,
                status__in=OPEN_STATUSES,
                created_at__lt=cutoff,
                anonymised_at__isnull=True,
            ).order_by("created_at")
        )


def visible_to_partner(user: User) -> Q:
    """The concerns a partner expert may open: those referred to their organisation."""
    return Q(referrals__provider_id=user.provider_id)
