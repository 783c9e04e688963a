"""Demo content of the exchange: categories, members and a few German threads in both
pilot networks, written through the same services as the site. Idempotent: threads are
matched by title, members by e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from anlaufstelle.networks.models import Network, Role, User

from . import membership, services
from .models import Category, CommunitySettings, Member, MemberStatus, Thread

CATEGORIES = [
    ("fachkraefte-finden", "Fachkräfte finden", "Stellen besetzen, Anzeigen, Kampagnen"),
    ("ausbildung", "Ausbildung", "Azubis gewinnen und begleiten"),
    ("international", "Internationale Fachkräfte", "Anerkennung, Visum, Ankommen"),
    ("foerderung", "Förderung", "Zuschüsse und Programme"),
]

COMPANIES = [
    ("anja.berger@hotel-am-see.example", "Anja Berger", "Hotel am See", "Gastgewerbe"),
    ("murat.yilmaz@metallbau-yilmaz.example", "Murat Yilmaz", "Metallbau Yilmaz", "Metall"),
    ("sandra.koch@pflege-zuhause.example", "Sandra Koch", "Pflege Zuhause", "Pflege"),
]


@dataclass(frozen=True)
class Reply:
    who: str  # "anja", "murat", "sandra", "expert", "navigator"
    body: str
    accepted: bool = False


@dataclass(frozen=True)
class DemoThread:
    category: str
    title: str
    author: str
    body: str
    replies: tuple[Reply, ...]


THREADS = {
    "feldberg": [
        DemoThread(
            "fachkraefte-finden",
            "Koch für die Saison gesucht – was hat bei Ihnen funktioniert?",
            "anja",
            "Unser Koch hört vor der Saison auf, Stellenanzeigen bringen seit Monaten nichts. "
            "Hat jemand in der Region gute Erfahrungen mit Saisonkräften gemacht?",
            (
                Reply(
                    "sandra",
                    "Wir haben über die regionale Kampagne der Tourismusbetriebe "
                    "zwei Leute gefunden. Fragen Sie im Werkraum danach.",
                ),
                Reply(
                    "expert",
                    "Der Arbeitgeberservice sucht gezielt in unserer Bewerberbörse "
                    "und kann Saisonkräfte aus anderen Regionen vermitteln. Buchen Sie am "
                    "besten einen Termin in der Sprechstunde im Werkraum (donnerstags).",
                    accepted=True,
                ),
            ),
        ),
        DemoThread(
            "ausbildung",
            "Azubi-Speed-Dating mit der Schule – lohnt sich das?",
            "murat",
            "Die Regionale Schule fragt, ob wir beim Azubi-Speed-Dating mitmachen. "
            "Hat das schon jemand ausprobiert? Wie viel Vorbereitung braucht es?",
            (
                Reply(
                    "anja",
                    "Ja, zwei Stunden Vorbereitung reichen. Bringen Sie einen Azubi "
                    "mit, der erzählt – das wirkt mehr als jeder Flyer.",
                ),
                Reply(
                    "navigator",
                    "Die nächste Runde ist im Veranstaltungskalender. "
                    "@murat-yilmaz, ich schicke Ihnen gern die Ansprechperson der Schule.",
                ),
            ),
        ),
    ],
    "region-stuttgart": [
        DemoThread(
            "international",
            "CNC-Fachkräfte aus der Türkei: wie lange dauert die Anerkennung?",
            "murat",
            "Wir wollen zwei CNC-Zerspaner aus der Türkei einstellen. Wie lange dauert die "
            "Anerkennung der Abschlüsse, und lohnt sich das beschleunigte Fachkräfteverfahren?",
            (
                Reply(
                    "expert",
                    "Mit dem beschleunigten Fachkräfteverfahren entscheidet die "
                    "Anerkennungsstelle in der Regel innerhalb von zwei Monaten. Das Welcome "
                    "Center berät Sie kostenlos zu den Unterlagen.",
                    accepted=True,
                ),
                Reply(
                    "sandra",
                    "Bei uns hat es mit dem Verfahren gut drei Monate gedauert, "
                    "inklusive Visum. Früh anfangen lohnt sich.",
                ),
            ),
        ),
        DemoThread(
            "foerderung",
            "Weiterbildung für An- und Ungelernte – wer zahlt?",
            "sandra",
            "Zwei Helferinnen möchten die Ausbildung zur Pflegefachassistenz nachholen. "
            "Gibt es dafür Zuschüsse für uns als Betrieb?",
            (
                Reply(
                    "anja",
                    "Wir hatten dafür Geld über das Qualifizierungschancengesetz. "
                    "Fragen Sie beim Arbeitgeberservice nach.",
                ),
            ),
        ),
    ],
}


def _member(network: Network, email: str, name: str, company: str, branche: str) -> Member:
    member = Member.objects.filter(network=network, email=email).first()
    if member is None:
        member = Member.objects.create(
            network=network,
            email=email,
            display_name=name,
            handle=membership.unique_handle(network, name),
            company=company,
            branche=branche,
            gemeinde=network.place or network.display_name,
            status=MemberStatus.ACTIVE,
            email_verified_at=timezone.now(),
            approved_at=timezone.now(),
        )
    return member


def _staff(network: Network, role: str) -> Member | None:
    user = User.objects.filter(network=network, role=role, is_active=True).order_by("pk").first()
    return membership._staff_member(network, user) if user else None


def load(network: Network) -> int:
    """Load the demo of one network; the number of threads created."""
    CommunitySettings.objects.get_or_create(network=network)
    categories = {}
    for position, (slug, name, description) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            network=network,
            slug=slug,
            defaults={"name": name, "description": description, "position": position},
        )
    people: dict[str, Member | None] = {
        email.split(".")[0]: _member(network, email, name, company, branche)
        for email, name, company, branche in COMPANIES
    }
    people["expert"] = _staff(network, Role.PARTNER_EXPERT)
    people["navigator"] = _staff(network, Role.NAVIGATOR)
    # One person waiting for approval, so the navigators' list is not empty in the demo.
    if not Member.objects.filter(network=network, email="neu@baeckerei-sommer.example").exists():
        Member.objects.create(
            network=network, email="neu@baeckerei-sommer.example", display_name="Clara Sommer",
            handle=membership.unique_handle(network, "Clara Sommer"), company="Bäckerei Sommer",
            branche="Handwerk", status=MemberStatus.PENDING, email_verified_at=timezone.now(),
        )  # fmt: skip
    created = 0
    for spec in THREADS.get(network.slug, []):
        if Thread.objects.filter(network=network, title=spec.title).exists():
            continue
        author = people[spec.author]
        assert author is not None
        with transaction.atomic():
            thread = services.start_thread(
                author=author, category=categories[spec.category], title=spec.title, body=spec.body
            )
            for reply in spec.replies:
                writer = people[reply.who]
                if writer is None:
                    continue
                post = services.reply(author=writer, thread=thread, body=reply.body)
                if reply.accepted:
                    services.accept_answer(member=author, post=post)
                    services.toggle_helpful(member=author, post=post)
        created += 1
    return created


def load_all() -> dict[str, int]:
    with scopes_disabled():
        return {
            network.slug: load(network)
            for network in Network.objects.filter(slug__in=THREADS).order_by("slug")
        }
