"""Hooks for the apps above the desk (cases imports none of them).

`concern_erased` is sent inside `services.erase` (the company's request and retention),
in its transaction, after the messages are blanked: a receiver erases what its app keeps
about the concern (the direct chat deletes the attachments' files).
"""

from django.dispatch import Signal

concern_erased = Signal()  # keyword argument: concern
