"""Pages of the desk: the company's form and status page (no account, signed link), the
navigators' inbox and concern page, the partner experts' inbox. Thin: resolve what the
user may see (404 for "not yours" and "missing" alike), validate, call a service."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anlaufstelle.booking import queries as booking_queries
from anlaufstelle.booking.models import Schedule
from anlaufstelle.directory.queries import site_network
from anlaufstelle.networks.guards import staff_member, staff_view
from anlaufstelle.networks.models import Role

from . import links, matching, queries, services
from .forms import (
    AssignForm,
    ConcernForm,
    DeclineForm,
    InboxFilterForm,
    MessageForm,
    OutcomeForm,
    ReferForm,
)
from .models import Actor, Concern, ReferralStatus

NAVIGATOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)


# --- company ---------------------------------------------------------------------------


def submit(request: HttpRequest, network_slug: str) -> HttpResponse:
    """ "Anliegen schildern": the form; after sending, the status page with suggestions."""
    network = site_network(request)
    desk = services.settings_for(network)
    texts = {"consent_text": desk.consent_text, "share_text": desk.share_consent_text}
    error = None
    if request.method == "POST":
        form = ConcernForm(request.POST, **texts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                concern = services.submit_concern(
                    network=network,
                    text=data["text"],
                    contact_name=data["contact_name"],
                    company_name=data["company_name"],
                    email=data["email"],
                    phone=data["phone"],
                    wz_section=data["wz_section"],
                    size_class=data["size_class"],
                    municipality=data["municipality"],
                    postcode=data["postcode"],
                    urgency=data["urgency"],
                    consent=data["consent"],
                    share_consent=data["share_consent"],
                    idempotency_key=data["idempotency_key"],
                    language=get_language() or "de",
                )
            except services.CaseError as exc:
                error = exc.message
            else:
                return redirect(links.status_path(concern) + "?neu=1")
    else:
        initial = {"text": request.GET.get("text", request.GET.get("q", ""))[:2000]}
        form = ConcernForm(initial=initial, **texts)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/submit.html", {"form": form, "error": error}, status=status)


def _concern_from_link(request: HttpRequest, code: str, token: str) -> Concern:
    network = site_network(request)
    concern = Concern.objects.filter(network=network, code=code).first()
    if concern is None:
        raise Http404
    try:
        links.check_token(concern, token)
    except links.InvalidLink as exc:
        raise Http404 from exc
    return concern


def status(request: HttpRequest, network_slug: str, code: str, token: str) -> HttpResponse:
    """The company's private status page; POST carries one action (`aktion`)."""
    concern = _concern_from_link(request, code, token)
    form = MessageForm()
    error = None
    if request.method == "POST":
        action = request.POST.get("aktion", "")
        try:
            if action == "nachricht":
                form = MessageForm(request.POST)
                if form.is_valid():
                    services.add_message(
                        concern=concern, body=form.cleaned_data["body"], sender=Actor.COMPANY
                    )
                    messages.success(request, _("Your message has been sent."))
                    return redirect(request.path)
            elif action == "widerrufen":
                services.withdraw_consent(concern=concern)
                messages.success(request, _("Your consent has been withdrawn."))
                return redirect(request.path)
            elif action == "export":
                data = services.export(concern=concern)
                response = HttpResponse(
                    json.dumps(data, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = f'attachment; filename="anliegen-{code}.json"'
                add_never_cache_headers(response)
                return response
            elif action == "loeschen":
                if request.POST.get("bestaetigen") != "ja":
                    error = _("Please confirm that your data should be erased.")
                else:
                    services.erase(concern=concern)
                    return render(request, "cases/erased.html", {})
            else:
                raise Http404
        except services.CaseError as exc:
            error = exc.message
    context = {
        "concern": concern,
        "is_new": request.GET.get("neu") == "1",
        "timeline": concern.timeline.filter(public=True).select_related("user"),
        "messages_list": concern.messages.select_related("referral__provider"),
        "suggestions": matching.suggestions_for_concern(concern),
        "form": form,
        "error": error,
        "referrals": concern.referrals.select_related("provider"),
    }
    response = render(
        request, "cases/status.html", context, status=400 if error or form.errors else 200
    )
    add_never_cache_headers(response)
    return response


# --- navigators ------------------------------------------------------------------------


@staff_view(roles=NAVIGATOR_ROLES)
def inbox(request: HttpRequest, network_slug: str) -> HttpResponse:
    user = staff_member(request)
    network = site_network(request)
    tab = request.GET.get("ansicht", "neu")
    if tab not in queries.TABS:
        tab = "neu"
    filters = InboxFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    rows = queries.inbox_rows(
        network,
        user,
        tab=tab,
        query=data.get("q", ""),
        urgency=data.get("dringlichkeit", ""),
        wz_section=data.get("branche", ""),
        only_untouched=bool(data.get("unbearbeitet")),
    )
    params = request.GET.copy()
    params.pop("ansicht", None)
    context = {
        "tab": tab,
        "tabs": [
            (key, label, count)
            for (key, label), count in zip(
                tab_labels(), queries.tab_counts(network, user).values(), strict=True
            )
        ],
        "rows": rows,
        "filters": filters,
        "filter_query": params.urlencode(),
        "untouched_days": services.settings_for(network).untouched_days,
    }
    partial = request.headers.get("HX-Request") == "true"
    template = "cases/partials/_inbox_list.html" if partial else "cases/inbox.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def tab_labels() -> list[tuple[str, str]]:
    return [
        ("neu", _("New")),
        ("meine", _("Assigned to me")),
        ("partner", _("Waiting for partner")),
        ("unternehmen", _("Waiting for company")),
        ("erledigt", _("Done")),
    ]


def _concern_context(request: HttpRequest, concern: Concern, **forms: Any) -> dict[str, Any]:
    network = site_network(request)
    suggestions = matching.suggestions_for_concern(concern)
    suggested = {s.provider_slug for s in suggestions.items if s.provider_slug}
    providers = list(queries.referral_partners(network))
    referred = {
        r.provider_id for r in concern.referrals.all() if r.status in ("pending", "accepted")
    }
    context = {
        "concern": concern,
        "suggestions": suggestions,
        "history": queries.company_history(concern),
        "notes": concern.notes.select_related("author"),
        "timeline": concern.timeline.select_related("user"),
        "messages_list": concern.messages.select_related("author", "referral__provider"),
        "referrals": concern.referrals.select_related("provider", "decided_by"),
        "suggested_providers": [
            p for p in providers if p.slug in suggested and p.pk not in referred
        ],
        "other_providers": [
            p for p in providers if p.slug not in suggested and p.pk not in referred
        ],
        "assign_form": AssignForm(staff=queries.navigators(network)),
        "ask_form": MessageForm(),
        "note_form": MessageForm(),
        "refer_form": ReferForm(providers=queries.referral_partners(network)),
        "close_form": OutcomeForm(),
        "status_path": links.status_path(concern),
    }
    context.update(forms)
    return context


@staff_view(roles=NAVIGATOR_ROLES)
def concern_detail(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    """The concern page; POST carries one action (`aktion`) and comes back here."""
    user = staff_member(request)
    network = site_network(request)
    concern = queries.get_concern_for_navigator(network, code)
    forms: dict[str, Any] = {}
    error = None
    if request.method == "POST":
        action = request.POST.get("aktion", "")
        done = _("Saved.")
        form: Any = None
        try:
            if action == "zuweisen":
                form = AssignForm(request.POST, staff=queries.navigators(network))
                forms["assign_form"] = form
                if form.is_valid():
                    services.assign(concern=concern, to=form.cleaned_data["assignee"], by=user)
                    done = _("The concern has been assigned.")
            elif action == "uebernehmen":
                services.assign(concern=concern, to=user, by=user)
                done = _("You have taken over the concern.")
            elif action == "fragen":
                form = MessageForm(request.POST)
                forms["ask_form"] = form
                if form.is_valid():
                    services.ask_company(
                        concern=concern, question=form.cleaned_data["body"], by=user
                    )
                    done = _("Your question has been sent to the company.")
            elif action == "notiz":
                form = MessageForm(request.POST)
                forms["note_form"] = form
                if form.is_valid():
                    services.add_note(concern=concern, body=form.cleaned_data["body"], by=user)
                    done = _("The note has been saved.")
            elif action == "weiterleiten":
                form = ReferForm(request.POST, providers=queries.referral_partners(network))
                forms["refer_form"] = form
                if form.is_valid():
                    services.refer(
                        concern=concern,
                        providers=form.cleaned_data["providers"],
                        note=form.cleaned_data["note"],
                        by=user,
                        consent_confirmed=form.cleaned_data["consent_confirmed"],
                    )
                    done = _("The concern has been referred.")
            elif action == "abschliessen":
                form = OutcomeForm(request.POST)
                forms["close_form"] = form
                if form.is_valid():
                    services.close_concern(
                        concern=concern, outcome=form.cleaned_data["outcome"], by=user
                    )
                    done = _("The concern has been closed.")
            else:
                raise Http404
            if form is None or form.is_valid():
                messages.success(request, done)
                return redirect(request.path)
        except services.CaseError as exc:
            error = exc.message
        concern.refresh_from_db()
    context = _concern_context(request, concern, **forms)
    context["error"] = error
    invalid = error or any(f.errors for f in forms.values())
    return render(request, "cases/concern.html", context, status=400 if invalid else 200)


@staff_view(roles=NAVIGATOR_ROLES)
def book_for_company(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    """Book an appointment on the company's behalf: suggested consultation hours first."""
    user = staff_member(request)
    network = site_network(request)
    concern = queries.get_concern_for_navigator(network, code)
    suggestions = matching.suggestions_for_concern(concern)
    offer_slugs = [s.slug for s in suggestions.items if s.kind == "offer"]
    schedules = list(booking_queries.bookable_schedules().filter(network=network))
    suggested = {
        s.pk for s in booking_queries.bookable_schedules().filter(offers__slug__in=offer_slugs)
    }
    schedules.sort(key=lambda s: (s.pk not in suggested, s.title))
    error = None
    if request.method == "POST":
        choice = request.POST.get("termin", "")
        schedule_code, _sep, key = choice.partition("|")
        schedule = next((s for s in schedules if s.code == schedule_code), None)
        starts_at = booking_queries.parse_slot_key(key)
        if schedule is None or starts_at is None:
            error = _("Please choose an appointment.")
        else:
            try:
                services.book_for_company(
                    concern=concern, schedule=schedule, starts_at=starts_at, by=user
                )
            except services.CaseError as exc:
                error = exc.message
            else:
                messages.success(
                    request, _("The appointment has been booked; the company gets a confirmation.")
                )
                return redirect("site:cases:concern", network_slug=network_slug, code=code)
    offers: list[tuple[Schedule, bool, list[Any]]] = [
        (s, s.pk in suggested, booking_queries.free_slots([s], limit=6)) for s in schedules
    ]
    return render(
        request,
        "cases/book.html",
        {"concern": concern, "offers": offers, "error": error},
        status=400 if error else 200,
    )


# --- partner experts -------------------------------------------------------------------


@staff_view(roles=(Role.PARTNER_EXPERT,))
def partner_inbox(request: HttpRequest, network_slug: str) -> HttpResponse:
    user = staff_member(request)
    network = site_network(request)
    tab = "erledigt" if request.GET.get("ansicht") == "erledigt" else "offen"
    referrals = queries.partner_referrals(network, user, tab=tab)
    return render(request, "cases/partner_inbox.html", {"referrals": referrals, "tab": tab})


@staff_view(roles=(Role.PARTNER_EXPERT,))
def partner_concern(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    user = staff_member(request)
    network = site_network(request)
    concern = queries.get_concern_for_partner(network, user, code)
    if user.provider_id is None:  # an operator belongs to no partner: nothing is theirs
        raise Http404
    referral = (
        concern.referrals.filter(provider_id=user.provider_id)
        .select_related("provider")
        .order_by("-created_at")
        .first()
    )
    if referral is None:
        raise Http404
    forms: dict[str, Any] = {}
    error = None
    if request.method == "POST":
        action = request.POST.get("aktion", "")
        form: Any = None
        try:
            if action == "annehmen":
                services.accept_referral(referral=referral, by=user)
                done = _("You have accepted the concern.")
            elif action == "ablehnen":
                form = DeclineForm(request.POST)
                forms["decline_form"] = form
                if form.is_valid():
                    services.decline_referral(
                        referral=referral, by=user, reason=form.cleaned_data["reason"]
                    )
                done = _("You have declined the concern.")
            elif action == "antworten":
                form = MessageForm(request.POST)
                forms["reply_form"] = form
                if form.is_valid():
                    services.reply(referral=referral, by=user, body=form.cleaned_data["body"])
                done = _("Your answer has been sent to the company.")
            elif action == "abschliessen":
                form = OutcomeForm(request.POST)
                forms["close_form"] = form
                if form.is_valid():
                    services.close_referral(
                        referral=referral, by=user, outcome=form.cleaned_data["outcome"]
                    )
                done = _("You have closed the concern.")
            else:
                raise Http404
            if form is None or form.is_valid():
                messages.success(request, done)
                return redirect(request.path)
        except services.CaseError as exc:
            error = exc.message
        referral.refresh_from_db()
    context = {
        "concern": concern,
        "referral": referral,
        "is_open": referral.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED),
        "messages_list": concern.messages.select_related("referral__provider"),
        "timeline": concern.timeline.filter(public=True).select_related("user"),
        "decline_form": DeclineForm(),
        "reply_form": MessageForm(),
        "close_form": OutcomeForm(),
        "error": error,
        "now": timezone.now(),
    }
    context.update(forms)
    invalid = error or any(f.errors for f in forms.values())
    return render(request, "cases/partner_concern.html", context, status=400 if invalid else 200)
