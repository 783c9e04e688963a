"""The engine's own sentences (German, formal). Everything else in a reply is content.

Kept in one module so that a later English version is one dictionary away; none of
these sentences names an offer, a provider, an amount or a deadline.
"""

from __future__ import annotations

EMPTY = (
    "Bitte schreiben Sie Ihre Frage in ein paar Worten, zum Beispiel: „Wir suchen Auszubildende.“"
)
TOO_LONG = (
    "Ihre Nachricht ist sehr lang. Bitte fassen Sie Ihr Anliegen in zwei, drei Sätzen "
    "zusammen; ich habe den Anfang gelesen:"
)
GREETING = (
    "Guten Tag! Ich bin der Assistent von {network}. Ich finde passende Angebote und "
    "Anlaufstellen aus diesem Netzwerk, nenne Kontaktdaten und Sprechstunden und verbinde "
    "Sie auf Wunsch mit einer Person aus dem Team. Beschreiben Sie einfach Ihr Anliegen."
)
SUPPORT_INTRO = "Dazu passt aus dem Angebot von {network}:"
BOOK_INTRO = "Für einen Termin kommen diese Angebote in Frage:"
BOOK_SLOTS = "Bei {titles} können Sie direkt einen Termin in der Sprechstunde buchen."
BOOK_NO_SLOTS = (
    "Eine Sprechstunde zum Buchen ist dafür hier nicht eingetragen. Nehmen Sie bitte "
    "direkt Kontakt auf, oder ich gebe Ihr Anliegen an das Team weiter."
)
BOOK_ANY = "Direkt buchen können Sie bei {network} zum Beispiel diese Sprechstunden:"
BOOK_ASK_SUBJECT = (
    "Worum geht es Ihnen? Schreiben Sie es in ein paar Worten, dann suche ich die "
    "passende Beratung heraus."
)
NO_MATCH = (
    "Dazu habe ich im Angebot von {network} nichts gefunden, das sicher passt. "
    "Das Team kann Ihnen persönlich weiterhelfen – soll ich Ihr Anliegen weitergeben?"
)
OUT_OF_SCOPE = (
    "Dabei kann ich leider nicht helfen. Ich beantworte Fragen zu Unterstützung für "
    "Betriebe rund um Fachkräfte, Ausbildung, Weiterbildung und Förderung im Netzwerk "
    "{network}."
)
HANDOFF = (
    "Gern verbinde ich Sie mit einer Person aus dem Team von {network}. Wenn Sie "
    "zustimmen, lege ich Ihr Anliegen mit diesem Gesprächsverlauf für das Team an; "
    "es meldet sich dann bei Ihnen."
)
CLARIFY = "Damit ich passend antworten kann: Geht es um {options}?"
CLARIFY_DEFAULT_OPTIONS = ("Ausbildung", "Weiterbildung", "neue Mitarbeitende")
EVENTS_FOUND = "Dazu passt aus den Veranstaltungen und dem Angebot von {network}:"
EVENTS_OFFERS = (
    "Eine passende Veranstaltung habe ich nicht gefunden. Das Team von {network} weiß, "
    "was demnächst ansteht. Zu Ihrer Frage passt aus dem Angebot:"
)
EVENTS_NONE = (
    "Eine passende Veranstaltung habe ich nicht gefunden. Das Team von {network} weiß, "
    "was demnächst ansteht – soll ich Ihr Anliegen weitergeben?"
)
# Without the events app: no calendar is online yet.
EVENTS_OFFERS_NO_CALENDAR = (
    "Ein Veranstaltungskalender mit Terminen ist noch nicht online. Das Team von {network} "
    "weiß, was demnächst ansteht. Zu Ihrer Frage passt aus dem Angebot:"
)
EVENTS_NONE_NO_CALENDAR = (
    "Ein Veranstaltungskalender ist noch nicht online, und ich habe keine passende "
    "Veranstaltung gefunden. Das Team von {network} weiß, was demnächst ansteht – soll "
    "ich Ihr Anliegen weitergeben?"
)
CONTACT_NETWORK = "So erreichen Sie {network}:"
CONTACT_NETWORK_NONE = (
    "Kontaktdaten von {network} sind hier noch nicht eingetragen. Soll ich Ihr Anliegen "
    "an das Team weitergeben?"
)
CONTACT_SOURCES = "Die Kontaktdaten finden Sie hier:"
ADDRESS = "Adresse: {value}"
OPENING_HOURS = "Öffnungszeiten: {value}"
EMAIL = "E-Mail: {value}"
PHONE = "Telefon: {value}"
WEBSITE = "Webseite: {value}"
