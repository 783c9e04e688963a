"""Booking URLs, mounted under /n/<network_slug>/termine/ (namespace site:booking)."""

from django.urls import path

from . import views

app_name = "booking"

urlpatterns = [
    path("", views.index, name="index"),
    path("sprechstunde/<str:code>/", views.schedule_slots, name="schedule"),
    path("sprechstunde/<str:code>/buchen/", views.book, name="book"),
    path("angebot/<slug:slug>/", views.offer_slots, name="offer"),
    path("anlaufstelle/<slug:slug>/", views.provider_slots, name="provider"),
    path("termin/<str:code>/<str:token>/", views.booking_view, name="view"),
    path("termin/<str:code>/<str:token>/kalender.ics", views.booking_ics, name="ics"),
    path("termin/<str:code>/<str:token>/absagen/", views.booking_cancel, name="cancel"),
    path("termin/<str:code>/<str:token>/verschieben/", views.booking_move, name="move"),
    path("raeume/<str:code>/", views.resource_reserve, name="resource"),
    path("reservierung/<str:code>/<str:token>/", views.reservation_view, name="reservation_view"),
    path(
        "reservierung/<str:code>/<str:token>/stornieren/",
        views.reservation_cancel,
        name="reservation_cancel",
    ),
    path("kalender/", views.calendar, name="calendar"),
    path("kalender/abo/", views.feed_manage, name="feed_manage"),
    path("kalender/reservierungen/", views.reservations, name="reservations"),
    path("kalender/buchen/", views.staff_book, name="staff_book"),
    path("kalender/<str:code>/absagen/", views.expert_cancel, name="expert_cancel"),
    path("abo/<str:token>.ics", views.feed, name="feed"),
]
