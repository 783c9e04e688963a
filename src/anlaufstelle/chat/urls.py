"""Chat and consultation-hour URLs, mounted at the site root /n/<network_slug>/
(namespace site:chat). The chat hangs below the concern's own pages — the status link,
the navigators' and the partners' concern page — and below the booking's pages (its
signed link, the expert's calendar), so each side finds it where it is."""

from django.urls import URLPattern, path

from . import views

app_name = "chat"


def chat_routes(kind: str, company: str, staff: str, name: str = "") -> list[URLPattern]:
    """The six routes of one kind of chat: page, thread fragment and files, for the
    company below its signed page (`company`) and for staff (`staff`)."""
    extra = {"kind": kind}
    return [
        path(f"{company}chat/", views.company, extra, name=f"{name}company"),
        path(
            f"{company}chat/nachrichten/", views.company_thread, extra, name=f"{name}company_thread"
        ),
        path(
            f"{company}chat/datei/<str:file_code>/",
            views.company_file,
            extra,
            name=f"{name}company_file",
        ),
        path(f"{staff}chat/", views.staff, extra, name=f"{name}staff"),
        path(f"{staff}chat/nachrichten/", views.staff_thread, extra, name=f"{name}staff_thread"),
        path(
            f"{staff}chat/datei/<str:file_code>/", views.staff_file, extra, name=f"{name}staff_file"
        ),
    ]


urlpatterns = [
    # The concern's chat: the company through its signed status link; navigators and
    # partner experts (the one staff guard).
    *chat_routes(
        "concern", "anliegen/status/<str:code>/<str:token>/", "anliegen/lotsen/<str:code>/"
    ),
    path("anliegen/lotsen/chats/ungelesen/", views.staff_overview, name="staff_overview"),
    # The same chat from the partner's concern page (its link is relative: "chat/").
    path("anliegen/partner/<str:code>/chat/", views.staff, name="staff_from_partner"),
    # The booking's chat: the company below the booking's signed page
    # (/termine/termin/<code>/<token>/), staff below the expert's calendar.
    *chat_routes(
        "booking",
        "termine/termin/<str:code>/<str:token>/",
        "termine/kalender/<str:code>/",
        "booking_",
    ),
    # Open online consultation hours.
    path("sprechstunde/", views.open_hours, name="open_hours"),
    path("sprechstunde/verwaltung/", views.host_list, name="host_list"),
    path("sprechstunde/verwaltung/<str:code>/", views.host, name="host"),
    path("sprechstunde/verwaltung/<str:code>/warteschlange/", views.host_queue, name="host_queue"),
    path("sprechstunde/platz/<str:entry_code>/", views.queue_entry, name="queue_entry"),
    path("sprechstunde/platz/<str:entry_code>/stand/", views.queue_state, name="queue_state"),
    path("sprechstunde/<str:code>/", views.open_hour, name="open_hour"),
]
