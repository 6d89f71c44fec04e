"""Parley: evidence-based support for negotiations with violent criminal groups."""

__version__ = "0.1.0"
