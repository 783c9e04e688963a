"""E-mails of the navigators' desk, rendered in the recipient's language (lib.mail)."""

from __future__ import annotations

from collections.abc import Iterable

from anlaufstelle.lib.mail import send_templated
from anlaufstelle.networks.models import Role, User

from . import links
from .models import Concern, NetworkCaseSettings, Referral

STAFF_LANGUAGE = "de"


def navigator_addresses(concern: Concern) -> list[str]:
    """Who hears about a concern: its assignee, else the network's inbox address or navigators."""
    if concern.assignee is not None and concern.assignee.email:
        return [concern.assignee.email]
    settings_row = NetworkCaseSettings.objects.filter(network_id=concern.network_id).first()
    if settings_row and settings_row.notify_email:
        return [settings_row.notify_email]
    return list(
        User.objects.filter(
            network_id=concern.network_id, role=Role.NAVIGATOR, is_active=True
        ).values_list("email", flat=True)
    )


def partner_addresses(referral: Referral) -> list[str]:
    """The partner experts of the referred provider in this network, else the provider's address."""
    experts = list(
        User.objects.filter(
            provider_id=referral.provider_id,
            network_id=referral.network_id,
            role=Role.PARTNER_EXPERT,
            is_active=True,
        ).values_list("email", flat=True)
    )
    if experts:
        return experts
    return [referral.provider.email] if referral.provider.email else []


def send_receipt(concern: Concern) -> None:
    if not concern.email:
        return
    send_templated(
        "cases/email/receipt_subject.txt",
        "cases/email/receipt.txt",
        {"concern": concern, "status_url": links.status_url(concern)},
        [concern.email],
        concern.language,
        network_id=concern.network_id,
    )


def send_new_concern(concern: Concern) -> None:
    to = navigator_addresses(concern)
    if to:
        send_templated(
            "cases/email/new_concern_subject.txt",
            "cases/email/new_concern.txt",
            {"concern": concern, "url": links.staff_url(concern)},
            to,
            STAFF_LANGUAGE,
            network_id=concern.network_id,
        )


def send_referral(referral: Referral) -> None:
    to = partner_addresses(referral)
    if to:
        send_templated(
            "cases/email/referral_subject.txt",
            "cases/email/referral.txt",
            {
                "referral": referral,
                "concern": referral.concern,
                "url": links.partner_url(referral.concern),
            },
            to,
            STAFF_LANGUAGE,
            network_id=referral.network_id,
        )


def send_company_update(concern: Concern, *, kind: str, body: str = "") -> None:
    """Tell the company that something happened (question, reply, closing)."""
    if not concern.email:
        return
    send_templated(
        "cases/email/update_subject.txt",
        "cases/email/update.txt",
        {"concern": concern, "kind": kind, "body": body, "status_url": links.status_url(concern)},
        [concern.email],
        concern.language,
        network_id=concern.network_id,
    )


def send_staff_update(concern: Concern, *, body: str) -> None:
    """The company wrote a message: tell the assignee (or the navigators)."""
    to = navigator_addresses(concern)
    if to:
        send_templated(
            "cases/email/company_message_subject.txt",
            "cases/email/company_message.txt",
            {"concern": concern, "body": body, "url": links.staff_url(concern)},
            to,
            STAFF_LANGUAGE,
            network_id=concern.network_id,
        )


def send_reminder(to: list[str], concerns: Iterable[Concern], days: int) -> None:
    concerns = list(concerns)
    if to and concerns:
        send_templated(
            "cases/email/reminder_subject.txt",
            "cases/email/reminder.txt",
            {
                "concerns": [(c, links.staff_url(c)) for c in concerns],
                "days": days,
                "count": len(concerns),
            },
            to,
            STAFF_LANGUAGE,
            network_id=concerns[0].network_id,
        )
