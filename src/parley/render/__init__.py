"""Documents from results: briefs and process reports as Markdown, self-contained HTML, PDF
and DOCX (Jinja templates, WeasyPrint, python-docx), and charts as SVG and PNG.

Role: presentation shared by the web and the command line; it turns what services return into
documents and never decides what is true (findings, outlook and citations arrive computed). It
works offline: fonts, styles and images are embedded, nothing is fetched.
"""
