"""Request dependencies: the wired Parley instance and its services."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from parley.bootstrap import Parley
from parley.services.cases import CaseCatalogue


def get_parley(request: Request) -> Parley:
    parley: Parley = request.app.state.parley
    return parley


def get_catalogue(request: Request) -> CaseCatalogue:
    return get_parley(request).cases


ParleyDep = Annotated[Parley, Depends(get_parley)]
CatalogueDep = Annotated[CaseCatalogue, Depends(get_catalogue)]
