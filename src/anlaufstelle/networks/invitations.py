"""Invitations: a new staff member chooses their own password through a one-time link.

Nobody types a password for someone else. The account starts with an unusable password;
the link is allauth's password-reset-from-key URL with allauth's token, so it expires
after PASSWORD_RESET_TIMEOUT and stops working once a password is set (the token hashes
the password) or a newer invitation was sent (which draws a new unusable password).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timeuntil

from anlaufstelle.lib.mail import absolute, send_templated

from .auth import second_factor_required
from .models import User

log = logging.getLogger(__name__)

# Staff accounts have no language of their own; the back office is German first.
LANGUAGE = "de"


def invitation_url(user: User) -> str:
    """The absolute one-time link at which `user` sets a password."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return absolute(path)


def _valid_for() -> str:
    now = timezone.now()
    expires = now + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    with translation.override(LANGUAGE):
        return timeuntil(expires, now, depth=1)


def send_invitation(*, user: User, by: User) -> None:
    """E-mail `user` a link to set their password; any earlier link stops working.

    Raises SMTPException/OSError when the mail server refuses; the account stays as it is.
    """
    if user.has_usable_password():
        raise ValueError("This person has already set a password.")
    # A fresh unusable password changes the token's hash: older links stop working.
    user.set_unusable_password()
    user.save(update_fields=["password"])
    context = {
        "user": user,
        "network_name": user.network.name if user.network else "Anlaufstelle",
        "inviter": by.get_full_name() or by.email,
        "link": invitation_url(user),
        "valid_for": _valid_for(),
        "login_url": absolute(reverse("account_login")),
        "second_factor": second_factor_required(),
    }
    send_templated(
        "networks/email/invitation_subject.txt",
        "networks/email/invitation.txt",
        context,
        [user.email],
        LANGUAGE,
        reply_to=[by.email] if by.email else None,
        # The coordinator waits for the answer and sends again from the back office.
        durable=False,
    )
    log.info("invitation sent", extra={"user": user.pk, "by": by.pk})


@dataclass
class ResendResult:
    sent: list[User] = field(default_factory=list)
    skipped: list[User] = field(default_factory=list)  # already have a password, or inactive
    failed: list[User] = field(default_factory=list)  # the mail server refused


def resend_invitations(*, users: Iterable[User], by: User) -> ResendResult:
    """Send the invitation again to each of `users` who has not yet set a password.

    The caller passes only users that `by` may manage (the back office's own queryset);
    this is checked again here so a coordinator never reaches another network.
    """
    result = ResendResult()
    for user in users:
        if not by.is_superuser and (user.is_superuser or user.network_id != by.network_id):
            raise PermissionError("Invitations only go to staff of your own network.")
        if not user.is_active or user.has_usable_password():
            result.skipped.append(user)
            continue
        try:
            send_invitation(user=user, by=by)
        except (smtplib.SMTPException, OSError):
            log.exception("invitation not sent", extra={"user": user.pk})
            result.failed.append(user)
        else:
            result.sent.append(user)
    return result
