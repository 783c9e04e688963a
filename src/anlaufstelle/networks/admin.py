from __future__ import annotations

import logging
import smtplib
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import admin_german  # noqa: F401  (German back office for third-party models)
from .admin_base import staff_user
from .invitations import resend_invitations, send_invitation
from .models import Network, Role, User

log = logging.getLogger(__name__)


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "bundesland", "is_nationwide", "is_active")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Network]:
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=staff_user(request).network_id)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(Role.COORDINATOR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if request.user.is_superuser:
            return True
        return staff_user(request).has_role(Role.COORDINATOR) and (
            obj is None or obj.pk == staff_user(request).network_id
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return ()
        return ("slug", "is_nationwide", "is_active", "region", "hostnames")

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        # A read-only slug is not a form field: prepopulating it would crash the page.
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)


class InvitationForm(forms.ModelForm):
    """New staff member without a password: they choose it through the invitation link.

    Coordinators get it without the `network` field (their own network is set on save);
    operators choose the network.
    """

    class Meta:
        model = User
        # The back office adds `network` (operators) and `provider` from the fieldsets at
        # request time: the provider list is scoped and cannot be built at import.
        fields = ("email", "first_name", "last_name", "role")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "role" in self.fields and "network" not in self.fields:
            # A coordinator's staff always have a role in the coordinator's network.
            self.fields["role"].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        # Log-in is by e-mail, so it is unique across all networks (and case-insensitive).
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("There is already an account with this e-mail address."), code="duplicate"
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        provider = cleaned.get("provider")
        if "provider" not in self.errors and "role" not in self.errors:
            if role == Role.PARTNER_EXPERT and provider is None:
                self.add_error(
                    "provider", _("Choose the organisation this partner expert works for.")
                )
            elif provider is not None and role != Role.PARTNER_EXPERT:
                self.add_error("provider", _("Only partner experts belong to a provider."))
        if "network" in self.fields and "network" not in self.errors:
            network = cleaned.get("network")
            if role and network is None:
                self.add_error("network", _("A role needs a network."))
            elif network is not None and not role and "role" not in self.errors:
                self.add_error("role", _("Choose the role in this network."))
            if network is not None and provider is not None and provider.network_id != network.pk:
                self.add_error("provider", _("This provider belongs to another network."))
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = InvitationForm
    # Django's add template talks about typing a password; the plain change form fits.
    add_form_template = None
    actions = ("resend_invitation",)
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "network", "role", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Network"), {"fields": ("network", "role", "provider")}),
        (_("Status"), {"fields": ("is_active", "is_staff")}),
    )
    invitation_note = _(
        "No password needed: the new staff member receives an e-mail with a link "
        "to choose their own password."
    )
    add_fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name"), "description": invitation_note}),
        (_("Network"), {"fields": ("role", "provider")}),
    )
    operator_add_fieldsets = (
        (None, {"fields": ("email", "first_name", "last_name"), "description": invitation_note}),
        (_("Network"), {"fields": ("network", "role", "provider")}),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            if request.user.is_superuser:
                return self.operator_add_fieldsets
            return self.add_fieldsets
        if request.user.is_superuser:
            return (*self.fieldsets, (_("Operator"), {"fields": ("is_superuser",)}))
        return self.fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if request.user.is_superuser:
            return ()
        # A coordinator's staff always belong to the coordinator's network.
        return ("network",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        qs = super().get_queryset(request).select_related("network")
        if request.user.is_superuser:
            return qs
        return qs.filter(network_id=staff_user(request).network_id, is_superuser=False)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or staff_user(request).has_role(Role.COORDINATOR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._owns(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._owns(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and self._owns(request, obj)

    def _owns(self, request: HttpRequest, obj: Any) -> bool:
        if request.user.is_superuser or obj is None:
            return True
        return obj.network_id == staff_user(request).network_id and not obj.is_superuser

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            # Invited: nobody knows a password until the person sets one via the link.
            obj.set_unusable_password()
            obj.is_staff = True
        if not request.user.is_superuser:
            # Coordinators can only create staff of their own network, never operators.
            obj.network_id = staff_user(request).network_id
            obj.is_superuser = False
            obj.is_staff = True
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        # Sent once the account and its log entry are saved, so no e-mail goes out for an
        # account that failed; a refused mail does not undo the account (resend later).
        try:
            send_invitation(user=obj, by=staff_user(request))
        except (smtplib.SMTPException, OSError):
            log.exception("invitation not sent", extra={"user": obj.pk})
            messages.error(
                request,
                gettext(
                    "The account was created, but the invitation could not be sent. "
                    "Please use “Resend invitation” in the list of staff members later."
                ),
            )
        else:
            messages.success(
                request,
                gettext("An invitation to choose a password was sent to %(email)s.")
                % {"email": obj.email},
            )
        return super().response_add(request, obj, post_url_continue)

    @admin.action(description=_("Resend invitation"), permissions=["change"])
    def resend_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        # `queryset` comes from get_queryset: a coordinator's own network, no operators.
        result = resend_invitations(users=queryset, by=staff_user(request))
        count = len(result.sent)
        messages.add_message(
            request,
            messages.SUCCESS if count else messages.WARNING,
            ngettext("%(count)d invitation was sent.", "%(count)d invitations were sent.", count)
            % {"count": count},
        )
        if result.skipped:
            count = len(result.skipped)
            messages.warning(
                request,
                ngettext(
                    "%(count)d person was skipped: they have already chosen a password "
                    "or their account is deactivated.",
                    "%(count)d people were skipped: they have already chosen a password "
                    "or their account is deactivated.",
                    count,
                )
                % {"count": count},
            )
        if result.failed:
            count = len(result.failed)
            messages.error(
                request,
                ngettext(
                    "%(count)d invitation could not be sent. Please try again later.",
                    "%(count)d invitations could not be sent. Please try again later.",
                    count,
                )
                % {"count": count},
            )

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "provider" and not request.user.is_superuser:
            from anlaufstelle.directory.models import Provider

            kwargs["queryset"] = Provider.objects.filter(network=staff_user(request).network)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
