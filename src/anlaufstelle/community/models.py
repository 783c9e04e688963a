"""Membership and the forum (Austausch) of one network.

A `Member` is a person taking part in a network's exchange: a company person who signed
up with a magic link (no password), or a staff member of the network (linked `user`,
their role shown). Members exist per network; a session holds at most one member per
network, so a member of one network is nobody on another network's forum.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anlaufstelle.lib.codes import new_code
from anlaufstelle.networks.scoping import TenantModel


def new_public_code() -> str:
    return new_code(10)


class CommunitySettings(TenantModel):
    require_approval = models.BooleanField(
        _("new members need approval"),
        default=True,
        help_text=_("A navigator approves each new member before they can post."),
    )
    intro = models.TextField(
        _("introduction"), blank=True, help_text=_("Shown above the forum's threads.")
    )

    class Meta:
        verbose_name = _("exchange settings")
        verbose_name_plural = _("exchange settings")
        constraints = [
            models.UniqueConstraint(fields=["network"], name="community_settings_per_network")
        ]

    def __str__(self) -> str:
        return str(_("Exchange settings"))


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    ACTIVE = "active", _("active")
    REJECTED = "rejected", _("rejected")
    BLOCKED = "blocked", _("blocked")


class Digest(models.TextChoices):
    NEVER = "never", _("no e-mail")
    DAILY = "daily", _("daily")
    WEEKLY = "weekly", _("weekly")


class Member(TenantModel):
    code = models.CharField(max_length=16, unique=True, default=new_public_code, editable=False)
    email = models.EmailField(_("e-mail"))
    handle = models.SlugField(_("name for mentions"), max_length=40)
    display_name = models.CharField(_("name"), max_length=120)
    company = models.CharField(_("company"), max_length=200, blank=True)
    branche = models.CharField(_("industry"), max_length=120, blank=True)
    gemeinde = models.CharField(_("municipality"), max_length=120, blank=True)
    topics = models.ManyToManyField(
        "directory.Topic", verbose_name=_("topics of interest"), blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="community_members",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.PENDING
    )
    digest = models.CharField(
        _("e-mail digest"), max_length=10, choices=Digest.choices, default=Digest.DAILY
    )
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    created_at = models.DateTimeField(_("joined"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "email"], name="community_member_email"),
            models.UniqueConstraint(fields=["network", "handle"], name="community_member_handle"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_active_member(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @property
    def staff_role(self) -> str:
        """The staff role's label shown beside the name ("" for company members)."""
        user = self.user
        if user is None or not user.has_role(*_staff_roles()):
            return ""
        return str(user.get_role_display())

    @property
    def is_expert(self) -> bool:
        """Staff and partner experts: their accepted answers make a thread "answered"."""
        return bool(self.staff_role)

    @property
    def is_moderator(self) -> bool:
        from anlaufstelle.networks.models import Role

        user = self.user
        return user is not None and user.has_role(Role.COORDINATOR, Role.NAVIGATOR)


def _staff_roles() -> tuple[str, ...]:
    from anlaufstelle.networks.models import Role

    return tuple(Role.values)


class MagicLink(TenantModel):
    """A single-use sign-in link. Only the token's SHA-256 is stored, never the token."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="magic_links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "created_at"], name="community_link_member")]


class RecordKind(models.TextChoices):
    CONCERN = "concern", _("Concern")
    BOOKING = "booking", _("Appointment")


class LinkedRecord(TenantModel):
    """An earlier concern or booking the member confirmed as theirs (by verified e-mail)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="linked_records")
    kind = models.CharField(max_length=10, choices=RecordKind.choices)
    record_code = models.CharField(max_length=32)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "record_code"], name="community_linked_once"
            )
        ]


class Category(TenantModel):
    slug = models.SlugField(_("short name"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="community_category_slug")
        ]

    def __str__(self) -> str:
        return self.name


class Thread(TenantModel):
    code = models.CharField(max_length=16, unique=True, default=new_public_code, editable=False)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=160)
    author = models.ForeignKey(
        Member, verbose_name=_("author"), on_delete=models.CASCADE, related_name="threads"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    accepted_post = models.ForeignKey(
        "Post",
        verbose_name=_("accepted answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reply_count = models.PositiveIntegerField(_("replies"), default=0)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-last_activity_at"]
        indexes = [
            models.Index(fields=["network", "is_hidden", "last_activity_at"], name="thread_list")
        ]

    def __str__(self) -> str:
        return self.title


class Post(TenantModel):
    code = models.CharField(max_length=16, unique=True, default=new_public_code, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="posts")
    body = models.TextField(_("text"))
    quoted = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_opening = models.BooleanField(default=False)
    is_hidden = models.BooleanField(_("hidden"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.thread.title} ({self.code})"


class HelpfulMark(TenantModel):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="helpful_marks")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="helpful_once")]


class Follow(TenantModel):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="follows")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="follows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "member"], name="follow_once")]


class Report(TenantModel):
    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        Member, verbose_name=_("reported by"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    created_at = models.DateTimeField(_("reported"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-created_at"]


class NotificationKind(models.TextChoices):
    MENTION = "mention", _("mentioned you")
    REPLY = "reply", _("replied in a thread you follow")


class Notification(TenantModel):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=NotificationKind.choices)
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["member", "read_at"], name="notification_unread")]
