"""Typed response and query schemas of /api/v1.

Every object carries a typed reference (`"offer:<slug>"`, `"provider:<slug>"`), the
form search hits and assistant sources use, and the absolute URL of its public page.
"""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from anlaufstelle.directory.models import OfferKind, ProviderKind

MAX_PAGE_SIZE = 100
# Far beyond any network's catalogue, well within a 64-bit SQL OFFSET.
MAX_OFFSET = 1_000_000


class ErrorOut(Schema):
    detail: str = Field(examples=["Nicht gefunden"])


class FieldErrorOut(Schema):
    loc: list[str | int] = Field(
        description='Where: "body", "query", "path" or "header", then the field name.',
        examples=[["body", "payload", "email"]],
    )
    type: str = Field(description="Machine-readable kind of error.", examples=["email"])
    message: str = Field(examples=["Bitte geben Sie eine gültige E-Mail-Adresse an."])


class ValidationErrorOut(ErrorOut):
    """422: what was wrong with the request, one entry per field."""

    errors: list[FieldErrorOut] = Field(default_factory=list)


class NetworkOut(Schema):
    ref: str = Field(examples=["network:feldberg"])
    slug: str
    name: str
    bundesland: str = Field(description="Two-letter code of the federal state, e.g. MV.")
    bundesland_name: str
    description: str
    url: str = Field(description="Absolute URL of the network's public site.")


class TermOut(Schema):
    """A topic or an audience of the shared taxonomy."""

    ref: str = Field(examples=["topic:ausbildung"])
    slug: str
    label_de: str
    label_en: str


class ContactOut(Schema):
    ref: str = Field(examples=["contact:arbeitgeberservice-neubrandenburg"])
    slug: str
    function: str
    name: str
    description: str
    email: str
    phone: str
    availability: str
    topics: list[str] = Field(description="Topic slugs.")


class ProviderRef(Schema):
    ref: str = Field(examples=["provider:welcome-center-stuttgart"])
    slug: str
    name: str
    url: str


class OfferRef(Schema):
    ref: str = Field(examples=["offer:eingliederungszuschuss"])
    slug: str
    title: str
    url: str


class ProviderOut(ProviderRef):
    kind: ProviderKind
    description: str
    website: str
    address: str
    email: str
    phone: str
    region: str
    nationwide: bool = Field(description="Part of the nationwide pool every network shows.")
    contacts: list[ContactOut]


class ProviderDetailOut(ProviderOut):
    offers: list[OfferRef] = Field(description="Published offers of this provider.")


class OfferOut(OfferRef):
    summary: str
    kind: OfferKind
    provider: ProviderRef
    topics: list[str] = Field(description="Topic slugs.")
    audiences: list[str] = Field(description="Audience slugs.")
    region: str
    nationwide: bool = Field(description="Part of the nationwide pool every network shows.")
    verified: bool = Field(description="False: ask the provider before relying on it.")
    last_checked: datetime.date | None
    valid_from: datetime.date | None
    valid_until: datetime.date | None


class OfferDetailOut(OfferOut):
    target_description: str
    conditions: str
    costs: str
    legal_basis: str
    source_urls: list[str]
    contacts: list[ContactOut] = Field(description="Contacts of the offering provider.")


class Page(Schema):
    count: int = Field(description="Number of matching items in total.")
    limit: int
    offset: int


class OfferPage(Page):
    items: list[OfferOut]


class ProviderPage(Page):
    items: list[ProviderOut]


class PageQuery(Schema):
    limit: int = Field(20, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class OfferQuery(PageQuery):
    topic: list[str] = Field(default_factory=list, description="Topic slug; repeat for any of.")
    kind: list[OfferKind] = Field(default_factory=list)
    audience: list[str] = Field(default_factory=list, description="Audience slug.")
    provider: list[str] = Field(default_factory=list, description="Provider slug.")
    q: str = Field("", max_length=200, description="Words in title, summary or provider.")
