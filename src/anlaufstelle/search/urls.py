"""Included under a network's site prefix: /n/<slug>/suche/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.search_page, name="search"),
    # ?ref=<type:slug>&rang=<rank>&q=<log code>: logs the click, redirects on this site.
    path("klick/", views.result_click, name="search_click"),
]
