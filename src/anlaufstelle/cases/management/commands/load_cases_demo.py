"""`manage.py load_cases_demo`: Sabine's Monday — about six concerns per demo network.

Runs after `load_demo` (it needs the networks, the navigators and the partner providers)
and can be run again: each demo concern has a fixed idempotency key, so a second run
changes nothing. Writes go through the services, so timelines are real; no e-mail is sent.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.cases import services, workdays
from anlaufstelle.cases.models import Concern, Message, Referral, TimelineEntry
from anlaufstelle.directory.models import Provider
from anlaufstelle.networks.models import Network, Role, User
from anlaufstelle.networks.scoping import network_scope

# (text, profile, contact, state, age in days, untouched for days)
DEMO: dict[str, list[dict[str, Any]]] = {
    "feldberg": [
        {
            "text": "Finde keinen Koch für die Saison, was kann ich machen? Wir sind ein Hotel "
            "mit 18 Mitarbeitenden am Haussee, die Saison beginnt im April.",
            "profile": ("I", "10-49", "Feldberger Seenlandschaft", "17258", "urgent"),
            "contact": ("Anja Berger", "Hotel am Haussee", "anja.berger@hotel-haussee.example"),
            "state": "new",
            "age": 1,
        },
        {
            "text": "Wir möchten zum ersten Mal eine Auszubildende zur Tischlerin einstellen. "
            "Was müssen wir beachten und gibt es Unterstützung für kleine Betriebe?",
            "profile": ("C", "1-9", "Carpin", "17237", "normal"),
            "contact": ("Holger Kranz", "Tischlerei Kranz", "info@tischlerei-kranz.example"),
            "state": "new",
            "age": 12,
        },
        {
            "text": "Unsere Pflegefachkraft von den Philippinen wartet seit Monaten auf die "
            "Anerkennung ihres Abschlusses. Wer kann uns helfen, das zu beschleunigen?",
            "profile": ("Q", "10-49", "Neustrelitz", "17235", "soon"),
            "contact": ("Maren Wolff", "Pflegedienst Seenland", "wolff@pflege-seenland.example"),
            "state": "referred",
            "age": 6,
        },
        {
            "text": "Wir finden Personal, aber keine Wohnungen. Gibt es Lösungen für Wohnraum "
            "für neue Mitarbeitende rund um Feldberg?",
            "profile": ("I", "10-49", "Feldberger Seenlandschaft", "17258", "normal"),
            "contact": ("Jörg Lindner", "Gasthof Zur Linde", "lindner@gasthof-linde.example"),
            "state": "asked",
            "age": 9,
        },
        {
            "text": "Eine Mitarbeiterin kommt aus der Elternzeit zurück. Wir wollen Teilzeit "
            "und mobiles Arbeiten ermöglichen. Gibt es dazu Beratung?",
            "profile": ("M", "1-9", "Woldegk", "17348", "normal"),
            "contact": ("Sven Otte", "Ingenieurbüro Otte", "otte@ib-otte.example"),
            "state": "closed",
            "age": 30,
        },
        {
            "text": "Landwirtschaftsbetrieb sucht Erntehelfer für den Sommer und langfristig "
            "eine Nachfolge für den Hof.",
            "profile": ("A", "1-9", "Woldegk", "17348", "normal"),
            "contact": ("Ulrike Brandt", "Hof Brandt", "hof.brandt@landwirtschaft.example"),
            "state": "new",
            "age": 15,
        },
    ],
    "region-stuttgart": [
        {
            "text": "Wir wollen zwei CNC-Fräser aus der Türkei einstellen. Wie funktioniert das "
            "mit Visum und Anerkennung der Abschlüsse, und wie lange dauert das?",
            "profile": ("C", "10-49", "Esslingen am Neckar", "73728", "urgent"),
            "contact": (
                "Murat Demir",
                "Demir Metallbearbeitung GmbH",
                "m.demir@demir-metall.example",
            ),
            "state": "new",
            "age": 0,
        },
        {
            "text": "Wir verlieren ständig Azubis im ersten Lehrjahr. Was können wir tun, damit "
            "sie bleiben?",
            "profile": ("C", "10-49", "Böblingen", "71032", "soon"),
            "contact": ("Petra Haller", "Haller Präzisionsteile", "haller@praezision.example"),
            "state": "assigned",
            "age": 10,
        },
        {
            "text": "Wir suchen Förderung, um unsere Lagerhelfer zu Fachkräften für "
            "Lagerlogistik weiterzubilden.",
            "profile": ("H", "50-249", "Ludwigsburg", "71634", "normal"),
            "contact": ("Tobias Renz", "Renz Logistik", "t.renz@renz-logistik.example"),
            "state": "answered",
            "age": 8,
        },
        {
            "text": "Wie können wir Menschen mit Behinderung einstellen, und welche Zuschüsse "
            "gibt es für die Einarbeitung?",
            "profile": ("N", "10-49", "Waiblingen", "71332", "normal"),
            "contact": ("Sabine Keller", "Keller Gebäudeservice", "keller@gebaeudeservice.example"),
            "state": "new",
            "age": 2,
        },
        {
            "text": "Unser Softwarehaus möchte mehr Frauen für IT-Berufe gewinnen. Gibt es "
            "Programme oder Netzwerke, die uns helfen?",
            "profile": ("J", "10-49", "Stuttgart", "70173", "normal"),
            "contact": ("Lena Vogt", "Vogt Software", "vogt@vogt-software.example"),
            "state": "closed",
            "age": 25,
        },
        {
            "text": "Bäckerei sucht dringend Verkäuferinnen und Verkäufer, gern auch "
            "Quereinsteiger, für zwei Filialen.",
            "profile": ("G", "10-49", "Göppingen", "73033", "urgent"),
            "contact": ("Klaus Maier", "Bäckerei Maier", "maier@baeckerei-maier.example"),
            "state": "new",
            "age": 7,
        },
    ],
}
EXPERT_PROVIDERS = {"feldberg": "aa-neubrandenburg", "region-stuttgart": "aa-stuttgart"}


class Command(BaseCommand):
    help = (
        "Legt je Demo-Netzwerk etwa sechs Anliegen an (dringende, lange unbearbeitete, "
        "weitergeleitete, abgeschlossene). Nach `load_demo` ausführen; mehrfach ausführbar."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            networks = {n.slug: n for n in Network.objects.filter(slug__in=DEMO)}
        if not networks:
            raise CommandError("Keine Demo-Netzwerke gefunden: bitte zuerst `load_demo` ausführen.")
        created = 0
        for slug, rows in DEMO.items():
            network = networks.get(slug)
            if network is None:
                self.stderr.write(f"Netzwerk {slug} fehlt, übersprungen.")
                continue
            with network_scope(network), services.silenced():
                for index, row in enumerate(rows):
                    created += self._concern(network, index, row)
        self.stdout.write(self.style.SUCCESS(f"{created} Demo-Anliegen angelegt."))

    def _concern(self, network: Network, index: int, row: dict[str, Any]) -> int:
        key = f"demo-{network.slug}-{index}"
        if Concern.objects.filter(idempotency_key=key).exists():
            return 0
        wz, size, municipality, postcode, urgency = row["profile"]
        name, company, email = row["contact"]
        concern = services.submit_concern(
            network=network,
            text=row["text"],
            contact_name=name,
            company_name=company,
            email=email,
            wz_section=wz,
            size_class=size,
            municipality=municipality,
            postcode=postcode,
            urgency=urgency,
            consent=True,
            share_consent=row["state"] in ("referred", "answered"),
            idempotency_key=key,
        )
        navigator = (
            User.objects.filter(network=network, role=Role.NAVIGATOR, is_active=True)
            .order_by("pk")
            .first()
        )
        state = row["state"]
        if navigator is not None and state != "new":
            services.assign(concern=concern, to=navigator, by=navigator)
            if state == "asked":
                services.ask_company(
                    concern=concern,
                    question="Wie viele Wohnungen bräuchten Sie, und ab wann?",
                    by=navigator,
                )
            elif state in ("referred", "answered"):
                provider = Provider.objects.filter(slug=EXPERT_PROVIDERS[network.slug]).first()
                if provider is not None:
                    [referral] = services.refer(
                        concern=concern,
                        providers=[provider],
                        note="Bitte um Rückmeldung diese Woche.",
                        by=navigator,
                    )
                    expert = User.objects.filter(
                        network=network, role=Role.PARTNER_EXPERT, provider=provider
                    ).first()
                    if state == "answered" and expert is not None:
                        services.reply(
                            referral=referral,
                            by=expert,
                            body="Guten Tag, die Weiterbildung kann über das "
                            "Qualifizierungschancengesetz gefördert werden. Ich rufe Sie an.",
                        )
            elif state == "closed":
                services.close_concern(concern=concern, outcome="advice_given", by=navigator)
        self._backdate(concern, row["age"], network)
        return 1

    def _backdate(self, concern: Concern, days: int, network: Network) -> None:
        """Move the concern into the past so the inbox shows due dates and the badge."""
        if not days:
            return
        then = timezone.now() - timedelta(days=days)
        due = workdays.add_working_days(
            timezone.localdate(then),
            services.DUE_WORKING_DAYS.get(concern.urgency, 5),
            network.bundesland,
        )
        changes: dict[str, Any] = {"created_at": then, "touched_at": then, "due_date": due}
        if concern.closed_at:
            changes["closed_at"] = then + timedelta(days=2)
        Concern.objects.filter(pk=concern.pk).update(**changes)
        TimelineEntry.objects.filter(concern=concern).update(created_at=then)
        # Referrals and messages happened then too (the partner inbox shows their dates).
        Referral.objects.filter(concern=concern).update(created_at=then)
        Message.objects.filter(concern=concern).update(created_at=then)
