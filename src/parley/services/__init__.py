"""Use cases over the domain; adapters arrive through the Protocols in ports.py.

Role: everything a user can do, once, for every front end. A service checks permission
(`domain.access`), calls the domain, analysis, knowledge and interchange, writes through its
store port (`ports.py`; SQLAlchemy lives in `storage`, wired in `bootstrap`), and appends the
audit entry in the same transaction. The web and the command line import services, never what
stands behind them (an import contract in pyproject.toml); modules such as `inputs`, `texts`,
`its` and `case_exports` are those doors. No FastAPI, Typer, Rich or SQLAlchemy here.
"""
