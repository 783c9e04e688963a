"""Desk URLs, mounted under /n/<network_slug>/anliegen/ (namespace site:cases)."""

from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.submit, name="submit"),
    path("status/<str:code>/<str:token>/", views.status, name="status"),
    path("lotsen/", views.inbox, name="inbox"),
    path("lotsen/<str:code>/", views.concern_detail, name="concern"),
    path("lotsen/<str:code>/termin/", views.book_for_company, name="book"),
    path("partner/", views.partner_inbox, name="partner_inbox"),
    path("partner/<str:code>/", views.partner_concern, name="partner_concern"),
]
