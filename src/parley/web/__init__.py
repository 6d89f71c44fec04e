"""The web app and JSON API (FastAPI + Jinja); the only package that imports them."""
