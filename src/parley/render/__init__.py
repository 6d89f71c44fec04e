"""Briefs from assessments: Markdown and self-contained HTML, from Jinja templates."""
