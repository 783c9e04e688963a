from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from anlaufstelle.api.api import api
from anlaufstelle.directory import views as directory_views
from anlaufstelle.lib.favicon import favicon
from anlaufstelle.lib.robots import robots_txt
from anlaufstelle.networks import views as network_views
from anlaufstelle.ops import views as ops_views
from anlaufstelle.pages import start
from anlaufstelle.pages import views as page_views

site_patterns: list[URLPattern | URLResolver] = [
    path("", start.start, name="start"),
    path("suche/", include("anlaufstelle.search.urls")),
    path("angebote/", directory_views.offer_list, name="offers"),
    path("angebote/<slug:slug>/", directory_views.offer_detail, name="offer"),
    path("anlaufstellen/<slug:slug>/", directory_views.provider_detail, name="provider"),
    path("seite/<slug:kind>/", page_views.legal_page, name="legal"),
    path("termine/", include("anlaufstelle.booking.urls")),
    path("anliegen/", include("anlaufstelle.cases.urls")),
    path("assistent/", include("anlaufstelle.assistant.urls")),
    path("mediathek/", include("anlaufstelle.mediathek.urls")),
    path("veranstaltungen/", include("anlaufstelle.events.urls")),
    # The direct chat below the concern's pages, and the open consultation hours.
    path("", include("anlaufstelle.chat.urls")),
    path("austausch/", include("anlaufstelle.community.urls")),
    path("branding.css", network_views.branding_css, name="branding_css"),
    path("logo", network_views.logo, name="logo"),
]

urlpatterns = [
    path("", page_views.home, name="home"),
    path("healthz", page_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics, name="metrics"),
    path("favicon.ico", favicon, name="favicon"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("n/<slug:network_slug>/", include((site_patterns, "site"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
