"""Whether a text names a row it does not cite (shared by the evaluation and generation)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# Titles shorter than this are common words ("Kita"), not a claim about a row.
MIN_TITLE_CHARS = 12


def names_uncited(
    text: str,
    visible: Mapping[str, tuple[str, str]],
    cited: Iterable[str],
    own_name: str = "",
    *,
    providers: bool = False,
) -> bool:
    """True when `text` names the title (with `providers`, also the provider name) of a
    row in `visible` (ref -> (title, provider name)) that is not among `cited` refs.
    A cited row's own fields may be named, and so may `own_name` (the network's name)."""
    text = text.replace(own_name, " ") if own_name else text
    allowed = {name for ref in cited if ref in visible for name in visible[ref] if name}
    names = {title for title, _provider in visible.values()}
    if providers:
        names |= {provider for _title, provider in visible.values() if provider}
    return any(
        len(name) >= MIN_TITLE_CHARS
        and name in text
        # a part of a cited title ("Welcome Center" in "Welcome Center: Beratung") is cited
        and not any(name in other for other in allowed)
        for name in names
    )
