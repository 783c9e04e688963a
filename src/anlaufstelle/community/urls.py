"""Forum URLs, mounted under /n/<network_slug>/austausch/ (namespace site:community)."""

from collections.abc import Callable, Iterable

from django.urls import URLPattern, path

from . import staff_views, views

app_name = "community"


def actions(prefix: str, view: Callable, names: Iterable[str], name: str) -> list[URLPattern]:
    """One URL per action of a view's action table (no free parameter in the URL)."""
    return [
        path(f"{prefix}<str:code>/{action}/", view, {"action": action}, name=f"{name}_{action}")
        for action in names
    ]


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
    *actions("beitrag/", views.post_action, views.POST_ACTIONS, "post"),
    path("verwaltung/mitglieder/", staff_views.members, name="staff_members"),
    *actions(
        "verwaltung/mitglieder/",
        staff_views.member_action,
        staff_views.MEMBER_ACTIONS,
        "staff_member",
    ),
    path("verwaltung/moderation/", staff_views.moderation, name="staff_moderation"),
    *actions(
        "verwaltung/beitrag/", staff_views.post_action, staff_views.POST_ACTIONS, "staff_post"
    ),
    *actions(
        "verwaltung/thema/", staff_views.thread_action, staff_views.THREAD_ACTIONS, "staff_thread"
    ),
]
