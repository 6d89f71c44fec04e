"""Documents from results: briefs and process reports as Markdown, self-contained HTML, PDF
and DOCX (Jinja templates, WeasyPrint, python-docx), and charts as SVG and PNG."""
