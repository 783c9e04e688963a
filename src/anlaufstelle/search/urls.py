"""Included under a network's site prefix: /n/<slug>/suche/."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.search_page, name="search"),
    path("treffer/<str:code>/<int:rank>/", views.result_click, name="search_click"),
]
