"""Forum URLs, mounted under /n/<network_slug>/austausch/ (namespace site:community)."""

from django.urls import path

from . import staff_views, views

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("mitmachen/", views.join, name="join"),
    path("anmelden/", views.signin, name="signin"),
    path("anmelden/<str:token>/", views.magic, name="magic"),
    path("abmelden/", views.signout, name="signout"),
    path("regeln/", views.code_of_conduct, name="rules"),
    path("profil/", views.profile, name="profile"),
    path("profil/verknuepfen/", views.link_records, name="link_records"),
    path("benachrichtigungen/", views.notifications, name="notifications"),
    path("neu/", views.new_thread, name="new_thread"),
    path("thema/<str:code>/", views.thread, name="thread"),
    path("thema/<str:code>/antworten/", views.reply, name="reply"),
    path("thema/<str:code>/folgen/", views.follow, name="follow"),
    path("beitrag/<str:code>/<slug:action>/", views.post_action, name="post_action"),
    path("verwaltung/mitglieder/", staff_views.members, name="staff_members"),
    path(
        "verwaltung/mitglieder/<str:code>/<slug:action>/",
        staff_views.member_action,
        name="staff_member_action",
    ),
    path("verwaltung/moderation/", staff_views.moderation, name="staff_moderation"),
    path(
        "verwaltung/beitrag/<str:code>/<slug:action>/",
        staff_views.post_action,
        name="staff_post_action",
    ),
    path(
        "verwaltung/thema/<str:code>/<slug:action>/",
        staff_views.thread_action,
        name="staff_thread_action",
    ),
]
