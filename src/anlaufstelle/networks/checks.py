"""System check: every model with a `network` key must use the scoped manager."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core import checks
from django.db.models import Model

# Models that carry a network but must stay reachable unscoped, with the reason.
UNSCOPED_ALLOWED = {
    # Authentication looks users up before any network is known.
    "networks.User",
}


@checks.register()
def check_tenant_models_are_scoped(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    return unscoped_tenant_models(
        model for model in apps.get_models() if model.__module__.startswith("anlaufstelle.")
    )


def unscoped_tenant_models(models: Iterable[type[Model]]) -> list[checks.Error]:
    """anlaufstelle.E001 for every model in `models` with a network but no scoped manager."""
    errors = []
    for model in models:
        label = model._meta.label
        if label in UNSCOPED_ALLOWED:
            continue
        try:
            field = model._meta.get_field("network")
        except Exception:  # noqa: S112  (model without a network is fine)
            continue
        if not field.is_relation:
            continue
        manager = model._default_manager
        if not hasattr(manager, "with_scopes_disabled"):
            errors.append(
                checks.Error(
                    f"{label} has a network but its default manager is not scoped.",
                    hint="Inherit from anlaufstelle.networks.scoping.TenantModel.",
                    obj=model,
                    id="anlaufstelle.E001",
                )
            )
    return errors
