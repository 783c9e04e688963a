"""Event URLs, mounted under /n/<network_slug>/veranstaltungen/ (namespace site:events)."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("kalender.ics", views.feed, name="feed"),
    path("verwaltung/", views.manage, name="manage"),
    path("verwaltung/<slug:slug>/", views.manage_event, name="manage_event"),
    path("verwaltung/<slug:slug>/anmeldungen.csv", views.export_csv, name="export"),
    path("verwaltung/<slug:slug>/einlass/", views.checkin, name="checkin"),
    path("verwaltung/<slug:slug>/einlass/<str:code>/", views.checkin_mark, name="checkin_mark"),
    path("verwaltung/<slug:slug>/schliessen/", views.close, name="close"),
    path("verwaltung/<slug:slug>/nachricht/", views.message, name="message"),
    path("verwaltung/<slug:slug>/reihenfolge/", views.running_order, name="running_order"),
    path("anmeldung/<str:code>/<str:token>/", views.registration_view, name="view"),
    path("anmeldung/<str:code>/<str:token>/abmelden/", views.registration_cancel, name="cancel"),
    path("<slug:slug>/", views.event_detail, name="detail"),
    path("<slug:slug>/anmelden/", views.register, name="register"),
]
