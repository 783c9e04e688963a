"""Back-office catalog import: a coordinator loads her network's spreadsheet herself.

The page wraps `catalog_import` (no validation of its own): first a check run that
writes nothing, then the real import in one transaction. Between the two steps the
uploaded bytes stay in the server-side session, named by a signed token; the
confirmation re-reads and re-validates them, and the target network always comes from
the signed-in coordinator (operators pick one in the check run), never from the form.
"""

from __future__ import annotations

import base64
import csv
import io
import secrets
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from anlaufstelle.networks.admin_base import staff_user
from anlaufstelle.networks.models import Network, Role

from .catalog_import import (
    CSV_FILES,
    ImportReport,
    RawCatalog,
    import_raw,
    read_csv_bytes,
    read_json_bytes,
)
from .models import Audience, Contact, Offer, OfferKind, Provider, ProviderKind, Topic

SESSION_KEY = "directory_catalog_import"
TOKEN_SALT = "anlaufstelle.directory.catalog_import"  # noqa: S105 (a namespace, not a secret)
# A check run older than this must be repeated before it can be imported.
TOKEN_MAX_AGE = 60 * 60
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class UploadKind:
    """One upload field: which CSV columns it reads and which model its rows become."""

    field: str
    csv_file: str | None  # None: the catalog JSON format
    model: type[Model] | None


UPLOAD_KINDS = (
    UploadKind("providers", "providers.csv", Provider),
    UploadKind("contacts", "contacts.csv", Contact),
    UploadKind("offers", "offers.csv", Offer),
    UploadKind("catalog", None, None),
)
TEMPLATE_KINDS = {k.field: k for k in UPLOAD_KINDS if k.csv_file is not None}

# One example row per template, in German; `region` is left out because the back office
# always imports into the coordinator's own network.
TEMPLATE_EXAMPLES: dict[str, dict[str, str]] = {
    "providers": {
        "id": "wifoe-musterstadt",
        "name": "Wirtschaftsförderung Musterstadt",
        "kind": "wirtschaftsfoerderung",
        "description_de": "Berät Betriebe in Musterstadt rund um Fachkräfte und Förderung.",
        "website": "https://wirtschaft.musterstadt.example",
        "address": "Marktplatz 1, 12345 Musterstadt",
        "email": "fachkraefte@musterstadt.example",
        "phone": "+49 1234 5678-0",
    },
    "contacts": {
        "id": "wifoe-musterstadt-fachkraefteberatung",
        "anlaufstelle": "wifoe-musterstadt",
        "function": "Fachkräfteberatung",
        "description": "Erste Anlaufstelle für Fragen zu Ausbildung und Berufsorientierung.",
        "email": "beratung@musterstadt.example",
        "phone": "+49 1234 5678-12",
        "availability": "Di und Do 9–12 Uhr",
        "topics": "ausbildung|berufsorientierung",
    },
    "offers": {
        "id": "azubi-speeddating-musterstadt",
        "title_de": "Azubi-Speeddating Musterstadt",
        "anlaufstelle": "wifoe-musterstadt",
        "kind": "veranstaltung",
        "topics": "ausbildung|berufsorientierung",
        "target_groups": "kmu|handwerk",
        "summary_de": "Betriebe lernen an einem Nachmittag Schülerinnen und Schüler kennen.",
        "legal_basis": "",
        "source_urls": "https://wirtschaft.musterstadt.example/azubi-speeddating",
        "verified": "ja",
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "last_checked": "2026-01-15",
        "costs": "kostenfrei",
        "conditions": "Anmeldung bis eine Woche vorher.",
        "target_description": "Ausbildungsbetriebe aus Musterstadt und Umgebung",
    },
}


def may_import(request: HttpRequest) -> bool:
    """Operators, and coordinators of a regional network (the pool is the operator's)."""
    user = request.user
    if user.is_superuser:
        return True
    staff = staff_user(request)
    network = staff.network
    return staff.has_role(Role.COORDINATOR) and network is not None and not network.is_nationwide


def _require_importer(request: HttpRequest) -> None:
    if not may_import(request):
        raise PermissionDenied


class CatalogUploadForm(forms.Form):
    network = forms.ModelChoiceField(
        queryset=Network.objects.filter(is_nationwide=False),
        label=gettext_lazy("Network"),
        help_text=gettext_lazy("Only operators choose; coordinators import into their own."),
    )
    providers = forms.FileField(
        label=gettext_lazy("Providers (CSV)"), required=False, allow_empty_file=True
    )
    contacts = forms.FileField(
        label=gettext_lazy("Contacts (CSV)"), required=False, allow_empty_file=True
    )
    offers = forms.FileField(
        label=gettext_lazy("Offers (CSV)"), required=False, allow_empty_file=True
    )
    catalog = forms.FileField(
        label=gettext_lazy("Or: catalog as JSON"), required=False, allow_empty_file=True
    )

    def __init__(self, *args: Any, operator: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not operator:
            # A coordinator's target is her own network; a posted value is ignored.
            del self.fields["network"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        uploads = [cleaned.get(kind.field) for kind in UPLOAD_KINDS]
        if not any(uploads):
            raise forms.ValidationError(_("Please choose at least one file."))
        for kind in UPLOAD_KINDS:
            upload = cleaned.get(kind.field)
            if upload and upload.size > MAX_UPLOAD_BYTES:
                self.add_error(
                    kind.field,
                    _("The file is larger than %(size)s MB.")
                    % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
                )
        return cleaned


def _read(files: list[dict[str, str]]) -> RawCatalog:
    """Parse the stored uploads with the importer's own readers."""
    raw = RawCatalog()
    for item in files:
        data = base64.b64decode(item["data"])
        csv_file = next(k.csv_file for k in UPLOAD_KINDS if k.field == item["field"])
        if csv_file is None:
            read_json_bytes(data, raw, name=item["name"])
        else:
            read_csv_bytes(data, raw, name=item["name"], csv_file=csv_file)
    return raw


def _run(files: list[dict[str, str]], network: Network, *, dry_run: bool) -> ImportReport:
    return import_raw(_read(files), dry_run=dry_run, network=network.slug, only_network=True)


def _target_network(request: HttpRequest, form: CatalogUploadForm) -> Network:
    if request.user.is_superuser:
        return form.cleaned_data["network"]
    return staff_user(request).network  # type: ignore[return-value]


def _count_rows(report: ImportReport) -> list[dict[str, Any]]:
    rows = []
    for kind in UPLOAD_KINDS:
        if kind.model is None:
            continue
        counts = report.counts[kind.field]
        rows.append(
            {
                "label": kind.model._meta.verbose_name_plural,
                "created": counts["created"],
                "updated": counts["updated"],
                "unchanged": counts["unchanged"],
            }
        )
    return rows


def _vocabularies() -> dict[str, Any]:
    with scopes_disabled():
        return {
            "provider_kinds": ProviderKind.choices,
            "offer_kinds": OfferKind.choices,
            "topics": list(Topic.objects.values_list("slug", "label_de")),
            "audiences": list(Audience.objects.values_list("slug", "label_de")),
        }


def _render(
    request: HttpRequest, model_admin: admin.ModelAdmin, **context: Any
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "admin/directory/import.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Import catalog"),
            "opts": model_admin.model._meta,
            "template_kinds": [
                (k.field, k.model._meta.verbose_name_plural)  # type: ignore[union-attr]
                for k in TEMPLATE_KINDS.values()
            ],
            "vocabularies": _vocabularies(),
            "max_upload_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
            **context,
        },
    )


def import_view(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    """GET: the upload form. POST: a check run, or with `token` the confirmed import."""
    _require_importer(request)
    operator = request.user.is_superuser
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, model_admin)
    if request.method != "POST":
        return _render(request, model_admin, form=CatalogUploadForm(operator=operator))

    form = CatalogUploadForm(request.POST, request.FILES, operator=operator)
    if not form.is_valid():
        return _render(request, model_admin, form=form)
    network = _target_network(request, form)
    files = [
        {
            "field": kind.field,
            "name": form.cleaned_data[kind.field].name,
            "data": base64.b64encode(form.cleaned_data[kind.field].read()).decode("ascii"),
        }
        for kind in UPLOAD_KINDS
        if form.cleaned_data.get(kind.field)
    ]
    report = _run(files, network, dry_run=True)
    context: dict[str, Any] = {"form": form, "network": network, "report": report}
    if report.ok:
        token = secrets.token_urlsafe(24)
        request.session[SESSION_KEY] = {
            "token": token,
            "network": network.pk,
            "user": request.user.pk,
            "files": files,
        }
        context["token"] = signing.dumps(token, salt=TOKEN_SALT)
    else:
        request.session.pop(SESSION_KEY, None)
    context["counts"] = _count_rows(report)
    context["file_names"] = [f["name"] for f in files]
    return _render(request, model_admin, **context)


def _confirm(request: HttpRequest, model_admin: admin.ModelAdmin) -> HttpResponse:
    pending = request.session.get(SESSION_KEY)
    try:
        token = signing.loads(request.POST["token"], salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:
        token = None
    if not pending or token != pending["token"] or pending["user"] != request.user.pk:
        messages.error(
            request,
            _("This check run has expired. Please upload the files again and check them."),
        )
        return redirect(import_url())
    network = Network.objects.get(pk=pending["network"])
    if not request.user.is_superuser and network.pk != staff_user(request).network_id:
        raise PermissionDenied
    report = _run(pending["files"], network, dry_run=False)
    if not report.ok:
        # The database changed since the check run; nothing was written.
        request.session.pop(SESSION_KEY, None)
        return _render(
            request,
            model_admin,
            form=CatalogUploadForm(operator=request.user.is_superuser),
            network=network,
            report=report,
            counts=_count_rows(report),
            file_names=[f["name"] for f in pending["files"]],
        )
    request.session.pop(SESSION_KEY, None)
    rows = _count_rows(report)
    messages.success(
        request,
        _(
            "Import into %(network)s finished: %(created)s new, %(updated)s changed, "
            "%(unchanged)s unchanged."
        )
        % {
            "network": network.name,
            "created": sum(r["created"] for r in rows),
            "updated": sum(r["updated"] for r in rows),
            "unchanged": sum(r["unchanged"] for r in rows),
        },
    )
    return redirect(import_url())


def template_view(request: HttpRequest, kind: str) -> HttpResponse:
    """A CSV template: the header row and one German example row, for spreadsheets."""
    _require_importer(request)
    upload = TEMPLATE_KINDS.get(kind)
    if upload is None or upload.csv_file is None:
        raise Http404
    columns = [c for c in CSV_FILES[upload.csv_file][1] if c != "region"]
    example = TEMPLATE_EXAMPLES[kind]
    out = io.StringIO()
    # The byte order mark makes Excel open the file as UTF-8; ";" is what a German
    # Excel expects. The importer accepts both.
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([example.get(c, "") for c in columns])
    response = HttpResponse(out.getvalue().encode("utf-8"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{upload.csv_file}"'
    return response


def import_url() -> str:
    return reverse("admin:directory_catalog_import")


def import_urls(model_admin: admin.ModelAdmin) -> list[URLPattern]:
    """The import's admin URLs; mounted on the provider admin (before its catch-all)."""
    site = model_admin.admin_site

    def page(request: HttpRequest) -> HttpResponse:
        return import_view(request, model_admin)

    return [
        path("import/", site.admin_view(page), name="directory_catalog_import"),
        path(
            "import/vorlage/<slug:kind>.csv",
            site.admin_view(template_view),
            name="directory_catalog_import_template",
        ),
    ]


class CatalogImportLinkMixin(admin.ModelAdmin):
    """Shows "Import catalog" above the changelist of those who may import."""

    change_list_template = "admin/directory/import_change_list.html"

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = dict(extra_context or {})
        if may_import(request):
            extra_context["catalog_import_url"] = import_url()
        return super().changelist_view(request, extra_context)
