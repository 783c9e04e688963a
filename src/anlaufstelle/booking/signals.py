"""Hooks for the apps above booking (booking imports none of them).

`booking_erased` is sent inside `privacy.erase_booking` (the company's request, the
concern's erasure and retention), in its transaction, after the row is blanked: a
receiver erases what its app keeps about the appointment (the direct chat deletes the
booking's messages, files and read marks).
"""

from django.dispatch import Signal

booking_erased = Signal()  # keyword argument: booking
