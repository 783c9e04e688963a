"""Assistant URLs, mounted under /n/<network_slug>/assistent/ (namespace site:assistant)."""

from django.urls import path

from . import views

app_name = "assistant"

urlpatterns = [
    path("", views.chat, name="chat"),
    path("termin/", views.book, name="book"),
    path("uebergabe/", views.handover, name="handover"),
    path("widget.js", views.widget, name="widget"),
    path("verwaltung/", views.conversation_list, name="staff_list"),
    path("verwaltung/<str:code>/", views.conversation_detail, name="staff_detail"),
]
