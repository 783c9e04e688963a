"""Chat and consultation-hour URLs, mounted at the site root /n/<network_slug>/
(namespace site:chat). The chat hangs below the concern's own pages — the status link,
the navigators' and the partners' concern page — and below the booking's pages (its
signed link, the expert's calendar), so each side finds it where it is."""

from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    # The company, through its signed status link.
    path("anliegen/status/<str:code>/<str:token>/chat/", views.company, name="company"),
    path(
        "anliegen/status/<str:code>/<str:token>/chat/nachrichten/",
        views.company_thread,
        name="company_thread",
    ),
    path(
        "anliegen/status/<str:code>/<str:token>/chat/datei/<str:file_code>/",
        views.company_file,
        name="company_file",
    ),
    # Navigators and partner experts (the one staff guard).
    path("anliegen/lotsen/chats/ungelesen/", views.staff_overview, name="staff_overview"),
    path("anliegen/lotsen/<str:code>/chat/", views.staff, name="staff"),
    # The same chat from the partner's concern page (its link is relative: "chat/").
    path("anliegen/partner/<str:code>/chat/", views.staff, name="staff_from_partner"),
    path("anliegen/lotsen/<str:code>/chat/nachrichten/", views.staff_thread, name="staff_thread"),
    path(
        "anliegen/lotsen/<str:code>/chat/datei/<str:file_code>/",
        views.staff_file,
        name="staff_file",
    ),
    # The chat in a booking: the company below the booking's signed page
    # (/termine/termin/<code>/<token>/), staff below the expert's calendar.
    path(
        "termine/termin/<str:code>/<str:token>/chat/",
        views.booking_company,
        name="booking_company",
    ),
    path(
        "termine/termin/<str:code>/<str:token>/chat/nachrichten/",
        views.booking_company_thread,
        name="booking_company_thread",
    ),
    path(
        "termine/termin/<str:code>/<str:token>/chat/datei/<str:file_code>/",
        views.booking_company_file,
        name="booking_company_file",
    ),
    path("termine/kalender/<str:code>/chat/", views.booking_staff, name="booking_staff"),
    path(
        "termine/kalender/<str:code>/chat/nachrichten/",
        views.booking_staff_thread,
        name="booking_staff_thread",
    ),
    path(
        "termine/kalender/<str:code>/chat/datei/<str:file_code>/",
        views.booking_staff_file,
        name="booking_staff_file",
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
