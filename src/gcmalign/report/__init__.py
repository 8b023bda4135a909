"""Renderers: the analysis as a terminal table, Markdown or JSON."""
