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
    # One URL per action (the action tables in the views name them; no free parameter).
    *[
        path(
            f"beitrag/<str:code>/{action}/",
            views.post_action,
            {"action": action},
            name=f"post_{action}",
        )
        for action in views.POST_ACTIONS
    ],
    path("verwaltung/mitglieder/", staff_views.members, name="staff_members"),
    *[
        path(
            f"verwaltung/mitglieder/<str:code>/{action}/",
            staff_views.member_action,
            {"action": action},
            name=f"staff_member_{action}",
        )
        for action in staff_views.MEMBER_ACTIONS
    ],
    path("verwaltung/moderation/", staff_views.moderation, name="staff_moderation"),
    *[
        path(
            f"verwaltung/beitrag/<str:code>/{action}/",
            staff_views.post_action,
            {"action": action},
            name=f"staff_post_{action}",
        )
        for action in staff_views.POST_ACTIONS
    ],
    *[
        path(
            f"verwaltung/thema/<str:code>/{action}/",
            staff_views.thread_action,
            {"action": action},
            name=f"staff_thread_{action}",
        )
        for action in staff_views.THREAD_ACTIONS
    ],
]
