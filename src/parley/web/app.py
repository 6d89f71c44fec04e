"""The app factory: pages, JSON API, static assets, error mapping, limits, security headers."""

from __future__ import annotations

from importlib import resources

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from parley import __version__
from parley.bootstrap import Parley
from parley.web import errors, language, limits, security
from parley.web.api import accounts as api_accounts
from parley.web.api import analysis as api_analysis
from parley.web.api import assessments as api_assessments
from parley.web.api import cases as api_cases
from parley.web.api import monitoring as api_monitoring
from parley.web.api import workspaces as api_workspaces
from parley.web.auth import cases_gate
from parley.web.pages import accounts as page_accounts
from parley.web.pages import analysis as page_analysis
from parley.web.pages import assessments as page_assessments
from parley.web.pages import case_curation as page_case_curation
from parley.web.pages import cases as page_cases
from parley.web.pages import living_assessment as page_living_assessment
from parley.web.pages import monitoring as page_monitoring
from parley.web.pages import workspaces as page_workspaces
from parley.web.pages.render import render


def create_app(parley: Parley) -> FastAPI:
    """Build the web app over an already-upgraded Parley (see `Parley.upgrade`)."""
    app = FastAPI(
        title="Parley API",
        version=__version__,
        description="Evidence-based support for negotiations with violent criminal groups: "
        "the case base, filters in the query language (docs/query-language.md) and full-text "
        "search. Every coded value carries its evidence from the IFIT paper (2021).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.parley = parley
    static = resources.files("parley.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    gate = [Depends(cases_gate)]  # public unless PARLEY_PUBLIC_CASES=false
    app.include_router(api_cases.router, dependencies=gate)
    app.include_router(page_case_curation.router, dependencies=gate)  # before /cases/{id}
    app.include_router(page_cases.router, dependencies=gate)
    app.include_router(api_assessments.router)
    app.include_router(page_assessments.router)
    app.include_router(api_workspaces.router)
    app.include_router(api_accounts.router)
    app.include_router(page_accounts.router)
    app.include_router(page_workspaces.router)
    app.include_router(page_living_assessment.router)
    app.include_router(api_monitoring.router)
    app.include_router(page_monitoring.router)
    app.include_router(page_monitoring.feeds)
    app.include_router(api_analysis.router)
    app.include_router(page_analysis.router)

    @app.get("/api/docs", include_in_schema=False, response_class=HTMLResponse)
    def api_docs(request: Request) -> HTMLResponse:
        return render(request, "api_docs.html", {})

    @app.get("/healthz", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    errors.install(app)
    limits.install(app, parley.settings)
    security.install(app)  # the security headers and no-store
    language.install(app, parley.settings.language, parley)
    return app
