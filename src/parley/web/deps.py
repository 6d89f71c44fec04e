"""Request dependencies: the wired Parley instance and its services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from parley.bootstrap import Parley
from parley.services.cases import CaseCatalogue
from parley.web.auth import principal_of


def get_parley(request: Request) -> Parley:
    parley: Parley = request.app.state.parley
    return parley


def get_catalogue(request: Request) -> CaseCatalogue:
    """The case base as the request's reader sees it: anonymous readers bundled and public
    cases; a signed-in reader also its own cases and those shared with its workspaces."""
    return get_parley(request).curation.seen_by(principal_of(request))


ParleyDep = Annotated[Parley, Depends(get_parley)]
CatalogueDep = Annotated[CaseCatalogue, Depends(get_catalogue)]
