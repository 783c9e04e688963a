"""The e-mail digest: unread notifications not yet mailed, daily or weekly per member."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.lib.mail import absolute, send_templated

from .models import Digest, Member, Notification

LANGUAGE = "de"
PERIOD = {Digest.DAILY: timedelta(hours=20), Digest.WEEKLY: timedelta(days=6, hours=20)}


def send_digests(*, now: object | None = None) -> int:
    """Mail each member with a digest setting their pending notifications; the count sent.

    Runs across networks (visibly unscoped); each mail goes to one member about their
    own network's posts that are still visible. A notification is mailed at most once.
    """
    now = now or timezone.now()
    sent = 0
    with scopes_disabled():
        members = Member.objects.filter(status="active").exclude(digest=Digest.NEVER)
        for member in members.select_related("network"):
            period = PERIOD[Digest(member.digest)]
            if member.last_digest_at and member.last_digest_at > now - period:  # type: ignore[operator]
                continue
            pending = list(
                Notification.objects.filter(
                    member=member,
                    read_at__isnull=True,
                    emailed_at__isnull=True,
                    post__is_hidden=False,
                    post__thread__is_hidden=False,
                )
                .select_related("post__thread", "post__author")
                .order_by("created_at")[:30]
            )
            if not pending:
                continue
            items = [
                {
                    "notification": n,
                    "url": absolute(
                        reverse(
                            "site:community:thread", args=[member.network.slug, n.post.thread.code]
                        )
                    ),
                }
                for n in pending
            ]
            send_templated(
                "community/email/digest_subject.txt",
                "community/email/digest.txt",
                {
                    "member": member,
                    "network": member.network,
                    "items": items,
                    "profile_url": absolute(
                        reverse("site:community:profile", args=[member.network.slug])
                    ),
                },
                [member.email],
                LANGUAGE,
                network_id=member.network_id,
            )
            Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=now)
            Member.objects.filter(pk=member.pk).update(last_digest_at=now)
            sent += 1
    return sent
