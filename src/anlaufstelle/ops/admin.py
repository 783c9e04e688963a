"""Operators read the daily jobs' last runs in the back office; nobody edits them there.
Coordinators and operators see outgoing e-mails and send failed ones again."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Role, User

from . import outbox
from .models import JobRun, MailDelivery, MailStatus


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the software writes; in the back office they are only read."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("name", "status", "started_at", "finished_at")
    readonly_fields = ("name", "status", "started_at", "finished_at", "output")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(MailDelivery)
class MailDeliveryAdmin(ReadOnlyAdmin):
    """Outgoing e-mails: coordinators see their network's, operators all (also staff mail).

    Read-only; the one action is "send again" for mails that failed or still wait.
    """

    list_display = ("created_at", "recipient_list", "subject", "status", "attempts", "error")
    list_filter = ("status",)
    search_fields = ("subject",)
    actions = ("send_again",)
    readonly_fields = (
        "network",
        "created_at",
        "recipient_list",
        "subject",
        "body",
        "status",
        "attempts",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    )
    fields = readonly_fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[MailDelivery]:
        with scopes_disabled():
            rows = MailDelivery.objects.with_scopes_disabled().select_related("network")
        if request.user.is_superuser:
            return rows
        # Only the own network: the nationwide pool in the staff scope is not theirs.
        return rows.filter(network_id=getattr(request.user, "network_id", None))

    def _may_see(self, request: HttpRequest) -> bool:
        user = request.user
        if user.is_superuser:
            return True
        return bool(isinstance(user, User) and user.has_role(Role.COORDINATOR))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._may_see(request)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self._may_see(request)

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        return self._may_see(request)

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj: MailDelivery) -> str:
        return ", ".join(obj.recipients)

    @admin.display(description=_("last error"))
    def error(self, obj: MailDelivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Send again"), permissions=["send_again"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[MailDelivery]) -> None:
        counts = outbox.send_again(queryset.exclude(status=MailStatus.SENT))
        if counts[MailStatus.SENT]:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail sent.", "%(count)d e-mails sent.", counts[MailStatus.SENT]
                )
                % {"count": counts[MailStatus.SENT]},
                messages.SUCCESS,
            )
        waiting = counts[MailStatus.QUEUED] + counts[MailStatus.FAILED]
        if waiting:
            self.message_user(
                request,
                ngettext(
                    "%(count)d e-mail could not be sent; it will be tried again.",
                    "%(count)d e-mails could not be sent; they will be tried again.",
                    waiting,
                )
                % {"count": waiting},
                messages.WARNING,
            )
