"""Staff authentication: no self sign-up; a second factor in production."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class StaffAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Coordinators invite staff; operators create coordinators.
        return False
