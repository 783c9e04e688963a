"""The main pages, the back office and the API docs run under the strict
Content-Security-Policy without a single violation in chromium."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django_scopes import scopes_disabled
from test_booking import OFFER_PATH, booking_demo  # noqa: F401 (fixture)

# Playwright's init script is injected by the browser itself, so it runs despite the CSP.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""

PUBLIC_PAGES = [
    "/",
    "/n/feldberg/",
    "/n/feldberg/angebote/",
    "/n/feldberg/angebote/?thema=ausbildung",
    OFFER_PATH,
    "/n/feldberg/suche/?q=Ausbildung",
    "/n/feldberg/termine/",
    "/n/region-stuttgart/termine/",
    "/n/feldberg/anliegen/",
    "/n/feldberg/seite/impressum/",
    "/n/feldberg/gibt-es-nicht/",
    "/accounts/login/",
    "/accounts/password/reset/",
    "/api/v1/docs",
]
STAFF_PAGES = [
    "/admin/",
    "/admin/booking/schedule/",
    "/admin/booking/schedule/add/",
    "/admin/directory/offer/",
    "/n/feldberg/termine/kalender/",
    "/n/feldberg/anliegen/lotsen/",
]


class Watch:
    """Collects CSP reports from the console and from `securitypolicyviolation` events."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._on_console)  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))  # type: ignore[attr-defined]

    def _on_console(self, message: object) -> None:
        text = message.text  # type: ignore[attr-defined]
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(text)

    def violations(self) -> list[str]:
        events = self.page.evaluate("window.__cspViolations || []")  # type: ignore[attr-defined]
        return self.console + list(events)


@pytest.fixture
def context(browser: object, live_server: object) -> Iterator[object]:
    context = browser.new_context(  # type: ignore[attr-defined]
        locale="de-DE", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(10_000)
    context.add_init_script(RECORD_VIOLATIONS)
    yield context
    context.close()


def visit(context: object, path: str) -> list[str]:
    page = context.new_page()  # type: ignore[attr-defined]
    watch = Watch(page)
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    assert response.status < 500, f"{path} answered {response.status}"
    assert response.headers["content-security-policy"].startswith("default-src 'self'")
    found = watch.violations()
    page.close()
    return found


def test_public_pages_run_without_csp_violations(context, booking_demo):  # noqa: F811
    found = {path: visit(context, path) for path in PUBLIC_PAGES}

    assert {path: v for path, v in found.items() if v} == {}


def test_the_api_docs_render_under_the_csp(context, booking_demo):  # noqa: F811
    page = context.new_page()
    watch = Watch(page)

    page.goto("/api/v1/docs")
    page.locator("#swagger-ui .info .title").wait_for()
    page.locator(".opblock-summary").first.click()

    assert watch.violations() == []


def test_htmx_search_and_filters_run_without_csp_violations(context, booking_demo):  # noqa: F811
    page = context.new_page()
    watch = Watch(page)
    page.goto("/n/feldberg/suche/")

    with page.expect_response(lambda response: "/suche/" in response.url and "q=" in response.url):
        page.locator("#search-q").fill("Ausbildung Betrieb")
    page.wait_for_load_state("networkidle")

    assert watch.violations() == []


def test_back_office_and_staff_pages_run_without_csp_violations(
    context,
    booking_demo,  # noqa: F811
    live_server,
):
    from anlaufstelle.booking.models import Schedule
    from anlaufstelle.directory.demo.loader import OPERATOR_EMAIL
    from anlaufstelle.networks.models import User

    operator = User.objects.get(email=OPERATOR_EMAIL)
    client = Client()
    client.force_login(operator)
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )
    with scopes_disabled():
        schedule = Schedule.objects.order_by("pk").first()
    pages = [*STAFF_PAGES, f"/admin/booking/schedule/{schedule.pk}/change/"]

    found = {path: visit(context, path) for path in pages}

    assert {path: v for path, v in found.items() if v} == {}
