"""`manage.py rebuild_index` (the last, long step of `make demo`) says in German what it
does, step by step and network by network while it embeds; quiet with --verbosity 0."""

from __future__ import annotations

import io

from django.core.management import call_command
from django_scopes import scopes_disabled

from anlaufstelle.search import indexing
from anlaufstelle.search.models import SearchDocument

from .test_index_build import FakeEmbedder


def rows_per_network() -> dict[str, int]:
    with scopes_disabled():
        counts: dict[str, int] = {}
        for slug in SearchDocument.objects.values_list("network__slug", flat=True):
            counts[slug] = counts.get(slug, 0) + 1
        return counts


def run(*args: str, **options: object) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_index", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def test_it_reports_each_step_and_each_networks_embedding(search_world, monkeypatch):
    monkeypatch.setattr(indexing, "get_embedder", FakeEmbedder)
    monkeypatch.setattr(indexing, "EMBED_BATCH", 2)
    rows = rows_per_network()
    out, err = run("--force")
    lines = err.splitlines()
    assert lines[0] == "Suchindex: 3 Netzwerke: Einträge lesen und analysieren …"
    assert all(line.startswith("Suchindex: ") for line in lines), lines
    assert any(line.startswith("Suchindex: Wörter des Korpus: ") for line in lines)
    assert "Suchindex: [2/3] feldberg: " in err
    total = sum(rows.values())
    assert f"Suchindex: Einbettungen für {total} Einträge in 3 Netzwerken" in err
    for slug, count in rows.items():
        assert f"Suchindex: Netzwerk {slug} 2/{count} " in err
        assert f"Suchindex: Netzwerk {slug} {count}/{count} fertig" in err
    # One line per batch of each network, in network order, never red (not an error).
    assert "\x1b[" not in err
    assert out.startswith(f"Suchindex fertig: {total} Einträge in 3 Netzwerk(en)")
    assert f"{total} eingebettet" in out


def test_a_second_run_says_that_everything_is_current(search_world, monkeypatch):
    monkeypatch.setattr(indexing, "get_embedder", FakeEmbedder)
    run()
    out, err = run()
    assert "Einträge aktuell, übersprungen" in err
    assert "Einbettungen" not in err  # nothing left to embed: no model to load
    assert "0 eingebettet" in out


def test_verbosity_zero_is_quiet(search_world, monkeypatch):
    monkeypatch.setattr(indexing, "get_embedder", FakeEmbedder)
    assert run("--force", verbosity=0) == ("", "")
