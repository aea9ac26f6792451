"""Sent once an export is ready (kwargs: `export`): a privacy request answered by an export
can be completed from here without polling."""

from django.dispatch import Signal

export_ready = Signal()
