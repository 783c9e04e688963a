"""Pages of the assistant: the chat (full page, htmx panel, embedded page), the widget
script and the navigators' view of conversations.

The chat works without JavaScript: every action is a form post answered with the
rendered conversation. With htmx the same posts swap the panel in place.

Which conversation a post belongs to is carried in the form (`gespraech`, signed code),
never taken from a cookie alone: in the widget the site runs in a third-party iframe
where cookies are not sent. The site's own pages keep Django's CSRF check and remember
the conversation in the session; embedded pages use neither (csrf-exempt, no session),
so a forged post can only ever reach a conversation whose signed code it already holds.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from anlaufstelle.cases import services as case_services
from anlaufstelle.directory.queries import site_network
from anlaufstelle.lib.security_headers import allow_framing
from anlaufstelle.networks.guards import staff_view
from anlaufstelle.networks.models import Network, Role

from . import services
from .forms import BookForm, HandoverForm
from .models import Conversation, Turn

SALT = "anlaufstelle.assistant.conversation"
NAVIGATOR_ROLES = (Role.COORDINATOR, Role.NAVIGATOR)
WIDGET_JS = Path(__file__).parent / "static" / "assistant" / "widget.js"


def _session_key(network: Network) -> str:
    return f"assistant:{network.pk}"


def sign(conversation: Conversation) -> str:
    return signing.Signer(salt=SALT).sign(conversation.code)


def _embedded(request: HttpRequest) -> bool:
    return (request.POST.get("eingebettet") or request.GET.get("eingebettet")) == "1"


def _find(request: HttpRequest, network: Network, embedded: bool) -> Conversation | None:
    """The visitor's conversation: from the signed form field, else (own pages, GET or
    CSRF-checked post) from the session."""
    code = ""
    token = request.POST.get("gespraech", "")
    if token:
        try:
            code = signing.Signer(salt=SALT).unsign(token[:100])
        except signing.BadSignature:
            code = ""
    elif not embedded:
        code = str(request.session.get(_session_key(network), ""))
    if not code:
        return None
    return Conversation.objects.filter(network=network, code=code, erased_at__isnull=True).first()


def _remember(
    request: HttpRequest, network: Network, conversation: Conversation, embedded: bool
) -> None:
    if not embedded:
        request.session[_session_key(network)] = conversation.code


def _slot_rows(turn: Turn) -> list[dict[str, Any]]:
    rows = []
    for slot in turn.slots:
        starts = parse_datetime(str(slot.get("starts_at", "")))
        if starts is None:
            continue
        rows.append(
            slot
            | {"when": timezone.localtime(starts), "value": f"{slot['schedule']}|{slot['key']}"}
        )
    return rows


def _context(
    request: HttpRequest,
    network: Network,
    conversation: Conversation | None,
    *,
    embedded: bool,
    error: str = "",
    error_for: str = "",
    book_form: BookForm | None = None,
    handover_form: HandoverForm | None = None,
    message: str = "",
) -> dict[str, Any]:
    turns = list(conversation.turns.all()) if conversation else []
    last = turns[-1] if turns and turns[-1].role == "assistant" else None
    handed_over = bool(conversation and conversation.concern_id)
    show_handover = (
        bool(turns)
        and not handed_over
        and (error_for == "handover" or (last is not None and last.offer_handoff))
    )
    book_form = book_form or BookForm(prefix_id="termin-")
    book_form.fields["consent"].label = _(
        "I agree that my details are processed to arrange this appointment."
    )
    handover_form = handover_form or HandoverForm(prefix_id="uebergabe-")
    desk = case_services.settings_for(network)
    handover_form.fields["consent"].label = desk.consent_text
    handover_form.fields["share_consent"].label = desk.share_consent_text
    items = [
        {
            "turn": t,
            "sources": _sources(t),
            # Slots of earlier answers are listed as text; the last answer's are a form.
            "slots": _slot_rows(t) if t is not last else [],
        }
        for t in turns
    ]
    return {
        "network": network,
        "conversation": conversation,
        "token": sign(conversation) if conversation else "",
        "turns": items,
        "last": last,
        "slots": _slot_rows(last) if last is not None else [],
        "book_form": book_form,
        "handover_form": handover_form,
        "show_handover": show_handover,
        "handed_over": handed_over,
        "message": message,
        "error": error,
        "error_for": error_for,
        "embedded": embedded,
        "docked": (request.GET.get("panel") or request.POST.get("panel")) == "1",
        "step": len(turns),
        "announce": error or (last.text if last is not None else ""),
        "max_message": services.MAX_MESSAGE,
        "retention_months": desk.retention_months,
    }


def _safe_url(url: str) -> str:
    """Only links into the site or to http(s) pages; a `javascript:` URL in content or
    from a generator is dropped, not rendered."""
    url = str(url or "").strip()
    if url.startswith("/") and not url.startswith("//"):
        return url
    if url.startswith(("https://", "http://")):
        return url
    return ""


def _sources(turn: Turn) -> list[dict[str, str]]:
    return [
        {
            "title": str(s.get("title", ""))[:300],
            "url": _safe_url(s.get("url", "")),
            "reason": str(s.get("reason", ""))[:300],
        }
        for s in turn.sources
        if isinstance(s, dict)
    ]


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    network: Network = context["network"]
    if request.headers.get("HX-Request") == "true":
        template = "assistant/partials/_panel_response.html"
    elif context["embedded"]:
        template = "assistant/embedded.html"
    else:
        template = "assistant/page.html"
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "no-store"
    if context["embedded"]:
        allow_framing(response, services.settings_for(network).origins())
    return response


def _language() -> str:
    return (get_language() or "de")[:8]


@csrf_exempt
@require_http_methods(["GET", "POST"])
def chat(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The conversation; POST sends one message (`nachricht`)."""
    network = site_network(request)
    embedded = _embedded(request)
    if request.method == "POST" and not embedded:
        return csrf_protect(_post_message)(request, network, embedded)
    if request.method == "POST":
        return _post_message(request, network, embedded)
    conversation = None if embedded else _find(request, network, embedded)
    return _render(request, _context(request, network, conversation, embedded=embedded))


def _post_message(request: HttpRequest, network: Network, embedded: bool) -> HttpResponse:
    conversation = _find(request, network, embedded)
    text = request.POST.get("nachricht", "")
    # A reload or double click re-sends a form the conversation has moved past.
    step = request.POST.get("schritt", "")
    if conversation is not None and step.isdigit() and int(step) != conversation.turns.count():
        return _render(request, _context(request, network, conversation, embedded=embedded))
    try:
        services.check_message(text)
        if conversation is None:
            conversation = services.start_conversation(
                network=network, embedded=embedded, language=_language()
            )
        services.post_message(conversation=conversation, text=text, language=_language())
    except services.AssistantError as exc:
        context = _context(
            request,
            network,
            conversation,
            embedded=embedded,
            error=exc.message,
            error_for="message",
            message=text[: services.MAX_MESSAGE],
        )
        return _render(request, context, status=400)
    _remember(request, network, conversation, embedded)
    return _render(request, _context(request, network, conversation, embedded=embedded))


@csrf_exempt
@require_http_methods(["POST"])
def book(request: HttpRequest, network_slug: str) -> HttpResponse:
    """Book one of the slots the chat showed."""
    network = site_network(request)
    embedded = _embedded(request)
    if not embedded:
        return csrf_protect(_book)(request, network, embedded)
    return _book(request, network, embedded)


def _book(request: HttpRequest, network: Network, embedded: bool) -> HttpResponse:
    conversation = _find(request, network, embedded)
    if conversation is None:
        raise Http404
    form = BookForm(request.POST, prefix_id="termin-")

    def book(data: dict[str, Any]) -> None:
        code, key = form.slot()
        services.book_in_chat(
            conversation=conversation,
            schedule_code=code,
            slot_key=key,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            consent=data["consent"],
            idempotency_key=data["idempotency_key"],
            language=_language(),
        )

    return _submit(request, network, conversation, embedded, form, "book", book)


def _submit(
    request: HttpRequest,
    network: Network,
    conversation: Any,
    embedded: bool,
    form: Any,
    action: str,
    call: Callable[[dict[str, Any]], None],
) -> HttpResponse:
    """Validate `form`, run the service `call`, and show the conversation again; on a
    form or service error the same page with the message (400), the input kept."""
    error = ""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except services.AssistantError as exc:
            error = exc.message
        else:
            return _render(request, _context(request, network, conversation, embedded=embedded))
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    context = _context(
        request,
        network,
        conversation,
        embedded=embedded,
        error=error,
        error_for=action,
        book_form=form if action == "book" else None,
        handover_form=form if action == "handover" else None,
    )
    return _render(request, context, status=400)


@csrf_exempt
@require_http_methods(["POST"])
def handover(request: HttpRequest, network_slug: str) -> HttpResponse:
    """Hand the conversation over to the navigators as a concern (with consent)."""
    network = site_network(request)
    embedded = _embedded(request)
    if not embedded:
        return csrf_protect(_handover)(request, network, embedded)
    return _handover(request, network, embedded)


def _handover(request: HttpRequest, network: Network, embedded: bool) -> HttpResponse:
    conversation = _find(request, network, embedded)
    if conversation is None:
        raise Http404
    if request.POST.get("zeigen") == "1":
        # "Talk to a person": show the form (no JavaScript needed).
        return _render(
            request,
            _context(request, network, conversation, embedded=embedded, error_for="handover"),
        )
    form = HandoverForm(request.POST, prefix_id="uebergabe-")

    def hand_over(data: dict[str, Any]) -> None:
        services.hand_over(
            conversation=conversation,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            consent=data["consent"],
            share_consent=data["share_consent"],
            idempotency_key=data["idempotency_key"],
            language=_language(),
        )

    return _submit(request, network, conversation, embedded, form, "handover", hand_over)


@require_http_methods(["GET"])
def widget(request: HttpRequest, network_slug: str) -> HttpResponse:
    """The script a network puts on its own website (our code only, no third party)."""
    site_network(request)
    response = HttpResponse(WIDGET_JS.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- staff -----------------------------------------------------------------------------


@staff_view(roles=NAVIGATOR_ROLES)
def conversation_list(request: HttpRequest, network_slug: str) -> HttpResponse:
    network = site_network(request)
    conversations = Conversation.objects.filter(
        network=network, erased_at__isnull=True
    ).select_related("concern")
    page = Paginator(conversations, 50).get_page(request.GET.get("seite"))
    return render(request, "assistant/staff_list.html", {"network": network, "page": page})


@staff_view(roles=NAVIGATOR_ROLES)
def conversation_detail(request: HttpRequest, network_slug: str, code: str) -> HttpResponse:
    network = site_network(request)
    conversation = (
        Conversation.objects.filter(network=network, code=code[:16], erased_at__isnull=True)
        .select_related("concern")
        .first()
    )
    if conversation is None:
        raise Http404
    return render(
        request,
        "assistant/staff_detail.html",
        {"network": network, "conversation": conversation, "turns": conversation.turns.all()},
    )
