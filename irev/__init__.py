"""Core of the IREV resource site: files -> records -> catalogue -> pages.

Nothing in this package imports mkdocs; `hooks/irev_hook.py` adapts it to MkDocs.
"""
