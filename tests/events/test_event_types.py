"""Event types: every event of a type asks the type's roles and questions (plus its own).

A pitch type registers pitching companies and visiting talents separately; a question
ending in "*" must be answered; answers are checked for length and presence in German,
and a refused registration stores nothing.
"""

from __future__ import annotations

from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from anlaufstelle.events import services
from anlaufstelle.events.models import EventSeries, EventType, Registration

from .conftest import make_event, person

pytestmark = pytest.mark.django_db

BASE = "/n/feldberg/veranstaltungen/"
PITCH = "Pitchendes Unternehmen"
TALENT = "Talent (Besuch)"
PITCH_Q = f"{PITCH}: Ihr Pitch in zwei Sätzen *"
TALENT_Q = f"{TALENT}: Welcher Beruf interessiert Sie?"


@pytest.fixture
def pitch_type(feldberg):
    with scopes_disabled():
        return EventType.objects.create(
            network=feldberg.network,
            name="Löwenpitch",
            roles=f"{PITCH}\n{TALENT}",
            questions=f"{PITCH_Q}\n{TALENT_Q}\nWie haben Sie von uns erfahren?",
        )


@pytest.fixture
def pitch(feldberg, pitch_type):
    return make_event(
        feldberg.network,
        feldberg.provider,
        slug="loewenpitch-mai",
        title="Löwenpitch Mai",
        capacity=10,
        event_type=pitch_type,
        questions="Brauchen Sie einen Parkplatz?",
    )


def stored() -> int:
    with scopes_disabled():
        return Registration.objects.count()


def test_an_event_inherits_the_types_roles_and_questions_before_its_own(pitch):
    assert pitch.role_list() == [PITCH, TALENT]
    assert pitch.question_list() == [
        PITCH_Q,
        TALENT_Q,
        "Wie haben Sie von uns erfahren?",
        "Brauchen Sie einen Parkplatz?",
    ]
    company = [q.text for q in pitch.questions_for(PITCH)]
    talent = [q.text for q in pitch.questions_for(TALENT)]
    assert company == [
        "Ihr Pitch in zwei Sätzen",
        "Wie haben Sie von uns erfahren?",
        "Brauchen Sie einen Parkplatz?",
    ]
    assert talent == [
        "Welcher Beruf interessiert Sie?",
        "Wie haben Sie von uns erfahren?",
        "Brauchen Sie einen Parkplatz?",
    ]
    assert [q.required for q in pitch.questions_for(PITCH)] == [True, False, False]


def test_an_events_own_roles_replace_the_types(feldberg, pitch_type):
    event = make_event(feldberg.network, event_type=pitch_type, roles="Jury\nGast")
    assert event.role_list() == ["Jury", "Gast"]


def test_a_change_of_the_type_reaches_every_event_of_it(pitch, pitch_type):
    with scopes_disabled():
        pitch_type.questions += "\nNeue Frage"
        pitch_type.save()
        pitch.refresh_from_db()
    assert "Neue Frage" in pitch.question_list()


def test_roles_register_separately_with_their_own_answers(pitch):
    answers = {PITCH_Q: "Wir bauen Boote.", TALENT_Q: "Bootsbauerin"}
    company = services.register(event=pitch, role=PITCH, answers=answers, **person(1))
    talent = services.register(event=pitch, role=TALENT, answers=answers, **person(2))
    assert company.answers == {
        PITCH_Q: "Wir bauen Boote.",
        "Wie haben Sie von uns erfahren?": "",
        "Brauchen Sie einen Parkplatz?": "",
    }
    assert talent.answers[TALENT_Q] == "Bootsbauerin"
    assert PITCH_Q not in talent.answers


def test_a_required_answer_missing_is_refused_in_german_and_nothing_is_stored(pitch):
    with pytest.raises(services.RegistrationError) as refused:
        services.register(event=pitch, role=PITCH, answers={PITCH_Q: "  "}, **person(1))
    assert refused.value.message == ("Bitte beantworten Sie die Frage „Ihr Pitch in zwei Sätzen“.")
    assert stored() == 0
    with scopes_disabled():
        pitch.refresh_from_db()
    assert pitch.confirmed_count == 0
    # A talent is not asked the pitch question, so it is not required of them.
    services.register(event=pitch, role=TALENT, answers={}, **person(2))
    assert stored() == 1


def test_an_answer_over_its_length_is_refused_and_nothing_is_stored(pitch):
    with pytest.raises(services.RegistrationError) as refused:
        services.register(
            event=pitch,
            role=PITCH,
            answers={PITCH_Q: "ok", "Brauchen Sie einen Parkplatz?": "x" * 501},
            **person(1),
        )
    assert refused.value.message == "Eine Antwort darf höchstens 500 Zeichen lang sein."
    assert stored() == 0


def form(role: str, **answers: str) -> dict[str, str]:
    data = {
        "name": "Anja Muster",
        "email": "anja@hotel-am-see.example",
        "company": "Hotel am See",
        "consent": "on",
        "idempotency_key": f"key-{role}",
        "role": role,
    }
    data.update(answers)
    return data


def test_the_form_asks_the_types_questions_and_marks_the_required_one(client, pitch):
    page = client.get(f"{BASE}loewenpitch-mai/anmelden/").content.decode()
    assert "Ihr Pitch in zwei Sätzen (nur für: Pitchendes Unternehmen) (Pflichtangabe)" in page
    assert "Welcher Beruf interessiert Sie? (nur für: Talent (Besuch))" in page
    assert "Brauchen Sie einen Parkplatz?" in page


def test_the_form_refuses_a_missing_required_answer_for_that_role_only(client, pitch):
    response = client.post(f"{BASE}loewenpitch-mai/anmelden/", form(PITCH))
    assert response.status_code == 400
    assert "Bitte beantworten Sie diese Frage." in response.content.decode()
    assert stored() == 0
    response = client.post(f"{BASE}loewenpitch-mai/anmelden/", form(TALENT, frage_1="Koch"))
    assert response.status_code == 302
    response = client.post(
        f"{BASE}loewenpitch-mai/anmelden/",
        form(PITCH, frage_0="Wir bauen Boote.", idempotency_key="k2"),
    )
    assert response.status_code == 302
    with scopes_disabled():
        answers = {r.role: r.answers for r in Registration.objects.all()}
    assert answers[PITCH][PITCH_Q] == "Wir bauen Boote."
    assert answers[TALENT][TALENT_Q] == "Koch"


def test_the_form_refuses_an_overlong_answer_in_german(client, pitch):
    response = client.post(f"{BASE}loewenpitch-mai/anmelden/", form(PITCH, frage_0="x" * 501))
    assert response.status_code == 400
    assert "Eine Antwort darf höchstens 500 Zeichen lang sein." in response.content.decode()
    assert stored() == 0


def test_a_type_with_too_many_questions_or_roles_is_a_form_error(feldberg):
    with scopes_disabled():
        too_many = EventType(
            network=feldberg.network,
            name="Zu viel",
            questions="\n".join(f"Frage {i}" for i in range(11)),
            roles="\n".join(f"Rolle {i}" for i in range(6)),
        )
        with pytest.raises(ValidationError) as invalid:
            too_many.full_clean()
    assert set(invalid.value.message_dict) == {"questions", "roles"}


def test_a_series_hands_its_type_to_every_date(feldberg, pitch_type):
    with scopes_disabled():
        series = EventSeries.objects.create(
            network=feldberg.network,
            title="Löwenpitch",
            rule="jeden letzten Donnerstag",
            weekday=3,
            week_of_month=5,
            start_time=time(18),
            event_type=pitch_type,
        )
        dates = services.create_occurrences(series, count=2)
    assert [d.event_type_id for d in dates] == [pitch_type.pk, pitch_type.pk]
    assert dates[0].role_list() == [PITCH, TALENT]


def test_the_csv_has_a_column_per_question_of_type_and_event(client, personas, pitch):
    services.register(event=pitch, role=PITCH, answers={PITCH_Q: "=Boote"}, **person(1))
    client.force_login(personas.feldberg.navigator)
    body = client.get(f"{BASE}verwaltung/loewenpitch-mai/anmeldungen.csv").content.decode()
    header, row = body.lstrip("\ufeff").splitlines()[:2]
    assert header.split(";")[-4:] == [
        PITCH_Q,
        TALENT_Q,
        "Wie haben Sie von uns erfahren?",
        "Brauchen Sie einen Parkplatz?",
    ]
    assert "'=Boote" in row
