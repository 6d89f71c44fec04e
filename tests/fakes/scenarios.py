"""`ScenariosTx` in memory: saved assessments, one author each, optionally shared with a
workspace.

Mirrors `storage.scenarios.ScenarioRepository`: the author must be a user and the workspace
must exist (NotFound), every read validates the stored document again against the codebook it
is given, lists are newest first and capped at `MAX_LIST`, a missing id is NotFound (None for
`author_of`), and a workspace being deleted gives its saved assessments back to their authors
(`detach`). Sealing is not modelled: tampering is the SQL store's to test.
"""

from __future__ import annotations

import secrets

from parley.domain.codebook import Codebook
from parley.domain.errors import NotFound
from parley.domain.scenario import SavedScenario, Scenario, parse_scenario, scenario_to_dict
from tests.fakes.state import ScenarioRec, State, now

MAX_LIST = 200


def detach(state: State, workspace_id: str) -> None:
    """Before a workspace goes: its saved assessments stay, with their authors alone."""
    for rec in list(state.scenarios.values()):
        if rec.workspace == workspace_id:
            state.scenarios[rec.id] = ScenarioRec(rec.id, rec.author, rec.document,
                                                  rec.created_at)


class FakeScenarios:
    """`ScenariosTx` over a `State`."""

    def __init__(self, state: State) -> None:
        self.st = state

    def _rec(self, scenario_id: str) -> ScenarioRec:
        try:
            return self.st.scenarios[scenario_id]
        except KeyError:
            raise NotFound(f"no saved assessment '{scenario_id}'") from None

    @staticmethod
    def _open(rec: ScenarioRec, codebook: Codebook) -> SavedScenario:
        scenario = parse_scenario(dict(rec.document), codebook,
                                  file=f"saved assessment {rec.id}")
        return SavedScenario(rec.id, scenario, rec.created_at, rec.author, rec.workspace)

    def save(self, author: str, scenario: Scenario, workspace: str | None = None
             ) -> SavedScenario:
        self.st.user(author)
        if workspace is not None:
            self.st.workspace(workspace)
        rec = ScenarioRec(secrets.token_urlsafe(12), author, scenario_to_dict(scenario), now(),
                          workspace)
        self.st.scenarios[rec.id] = rec
        return SavedScenario(rec.id, scenario, rec.created_at, author, workspace)

    def author_of(self, scenario_id: str) -> str | None:
        rec = self.st.scenarios.get(scenario_id)
        return None if rec is None else rec.author

    def workspace_of(self, scenario_id: str) -> str | None:
        return self._rec(scenario_id).workspace

    def get(self, scenario_id: str, codebook: Codebook) -> SavedScenario:
        return self._open(self._rec(scenario_id), codebook)

    def replace(self, scenario_id: str, scenario: Scenario, codebook: Codebook
                ) -> SavedScenario:
        rec = self._rec(scenario_id)
        self._open(rec, codebook)  # the old content must open, as the sealed row's must
        self.st.scenarios[scenario_id] = ScenarioRec(rec.id, rec.author,
                                                     scenario_to_dict(scenario),
                                                     rec.created_at, rec.workspace)
        return self.get(scenario_id, codebook)

    def by_author(self, author: str, codebook: Codebook, limit: int = 50
                  ) -> list[SavedScenario]:
        mine = [r for r in reversed(self.st.scenarios.values()) if r.author == author]
        return [self._open(r, codebook) for r in mine[:min(limit, MAX_LIST)]]

    def in_workspace(self, workspace_id: str, codebook: Codebook, limit: int = 50
                     ) -> list[SavedScenario]:
        shared = [r for r in reversed(self.st.scenarios.values())
                  if r.workspace == workspace_id]
        return [self._open(r, codebook) for r in shared[:min(limit, MAX_LIST)]]

    def delete(self, scenario_id: str) -> None:
        self._rec(scenario_id)
        del self.st.scenarios[scenario_id]
