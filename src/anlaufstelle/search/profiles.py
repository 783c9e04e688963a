"""What a company's profile says about the offers that fit it (a mild ranking prior).

The profile is what a company told about itself: its industry as a WZ 2008 section
letter (`industry` or `wz_section`), head count, postcode. The section names the
sectors whose audiences the catalog knows (handwerk, gastronomie, pflege, industrie, …);
an offer meant for one of them rises a little, an offer meant only for *other* sectors
sinks a little. Offers for everybody (no sector audience) are left alone. The postcode
is not used: the site is already scoped to the company's region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# WZ 2008 section -> audience slugs of the catalog that address such companies.
WZ_AUDIENCES: dict[str, frozenset[str]] = {
    "A": frozenset(),
    "B": frozenset({"industrie"}),
    "C": frozenset({"industrie", "handwerk"}),
    "D": frozenset({"industrie"}),
    "E": frozenset({"industrie"}),
    "F": frozenset({"handwerk"}),
    "I": frozenset({"gastronomie", "tourismus"}),
    "J": frozenset({"startup"}),
    "M": frozenset({"startup"}),
    "P": frozenset({"sozialwirtschaft"}),
    "Q": frozenset({"pflege", "sozialwirtschaft"}),
    "R": frozenset({"tourismus"}),
    "S": frozenset({"handwerk"}),
}
# Audiences that name a sector; an offer that has only these is meant for those sectors.
SECTOR_AUDIENCES = frozenset(
    {"handwerk", "gastronomie", "tourismus", "pflege", "industrie", "sozialwirtschaft"}
)


def profile_audiences(profile: Mapping[str, Any] | None) -> frozenset[str]:
    """The sector audiences a company of this profile belongs to (empty if unknown)."""
    if not profile:
        return frozenset()
    section = str(profile.get("industry") or profile.get("wz_section") or "").strip().upper()
    return WZ_AUDIENCES.get(section[:1], frozenset())


# Audiences that say an item is for every company, whatever sectors it also names.
GENERAL_AUDIENCES = frozenset({"alle"})


def profile_fit(audiences: Iterable[str], wanted: frozenset[str]) -> int:
    """+1 when an item is meant for the company's sector, −1 when only for other
    sectors, 0 when it is general (no sector, or "alle" beside its sectors) or the
    profile names no sector."""
    if not wanted:
        return 0
    audiences = set(audiences)
    sectors = audiences & SECTOR_AUDIENCES
    if not sectors:
        return 0
    if sectors & wanted:
        return 1
    return 0 if audiences & GENERAL_AUDIENCES else -1
