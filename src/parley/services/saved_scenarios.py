"""Saved assessments: sealed scenarios that belong to their author and optionally a workspace
(docs/security.md, "Saved assessments"). Apart from `assessments` so that assessing a
scenario (the cold `parley assess`) loads none of the vault's audit events."""

from __future__ import annotations

from parley.domain.access import Action, Scope, is_allowed, visible
from parley.domain.account import Principal
from parley.domain.audit import (
    AssessmentDeleted,
    AssessmentRead,
    AssessmentRenamed,
    AssessmentRerun,
    AssessmentSaved,
    AssessmentsListed,
)
from parley.domain.codebook import Codebook
from parley.domain.errors import Forbidden, InvalidInput, NotFound
from parley.domain.scenario import SavedScenario, Scenario, parse_scenario, scenario_to_dict
from parley.services.ports import VaultStore, VaultTx


class SavedScenarios:
    """Saved assessments: each belongs to its signed-in author, and optionally to a workspace.

    Anyone may assess a scenario; saving needs an account, because a saved scenario may
    describe secret talks and must have someone it belongs to. The author (or an admin) may
    open, rename, re-run and delete it. When it is shared with a workspace, its members act on
    it as on a workspace item of the scenario's classification (`is_allowed`: read, rename as
    update, delete), and members without the clearance do not see it at all. Everyone else gets
    exactly what a missing one gives (404), so its existence is not confirmed. Access is checked
    inside the transaction of every read and write, and each is audited in it (with the
    workspace, so it shows in the workspace's audit log too).
    """

    def __init__(self, vault: VaultStore, codebook: Codebook) -> None:
        self.vault = vault
        self.codebook = codebook

    @staticmethod
    def _require_account(actor: Principal) -> None:
        if actor.system:
            raise InvalidInput("saved assessments belong to an account: sign in to save one")

    @staticmethod
    def _require_write(actor: Principal) -> None:
        if actor.scope is not Scope.WRITE:
            raise Forbidden("saving or changing an assessment needs a token with write scope")

    def _open(self, tx: VaultTx, actor: Principal, scenario_id: str, action: Action
              ) -> SavedScenario:
        """The saved assessment if `actor` may take `action` on it; NotFound otherwise."""
        missing = NotFound(f"no saved assessment '{scenario_id}'")
        author = tx.scenarios.author_of(scenario_id)
        if author is None:
            raise missing
        if action.writes:
            self._require_write(actor)
        if author == actor.name or actor.is_admin:
            return tx.scenarios.get(scenario_id, self.codebook)
        workspace = tx.scenarios.workspace_of(scenario_id)
        role = tx.workspaces.role_of(actor.name, workspace) if workspace else None
        if role is None:
            raise missing
        saved = tx.scenarios.get(scenario_id, self.codebook)  # to learn its classification
        level = saved.scenario.classification
        if not visible(role, level):
            raise missing  # above the member's clearance: not told it exists
        if not is_allowed(role, action, level, actor.scope):
            raise Forbidden(f"your role ({role.value}) does not permit {action.value} on "
                            f"{level.value} content")
        return saved

    def save(self, actor: Principal, scenario: Scenario, workspace: str | None = None
             ) -> SavedScenario:
        """Seal and store a validated scenario for `actor`, shared with `workspace` if given
        (the actor must be a member allowed to add items of the scenario's classification)."""
        self._require_account(actor)
        self._require_write(actor)
        with self.vault.write() as tx:
            if workspace:
                tx.workspaces.lock_workspace(workspace)
                role = tx.workspaces.role_of(actor.name, workspace)
                if role is None:
                    raise NotFound(f"no workspace '{workspace}'")
                level = scenario.classification
                if not is_allowed(role, Action.ITEM_CREATE, level, actor.scope):
                    raise Forbidden(f"your role ({role.value}) does not permit adding "
                                    f"{level.value} content to this workspace")
            saved = tx.scenarios.save(actor.name, scenario, workspace or None)
            tx.audit.append(actor.name, AssessmentSaved(workspace=saved.workspace,
                                                        assessment=saved.id))
        return saved

    def get(self, actor: Principal, scenario_id: str) -> SavedScenario:
        """A saved assessment the actor may read; others get NotFound. Audited."""
        with self.vault.write() as tx:
            saved = self._open(tx, actor, scenario_id, Action.ITEM_READ)
            tx.audit.append(actor.name, AssessmentRead(workspace=saved.workspace,
                                                       assessment=saved.id,
                                                       author=saved.author))
        return saved

    def rerun(self, actor: Principal, scenario_id: str, cases: int) -> SavedScenario:
        """Record that a saved assessment is assessed again on the current case base (of
        `cases` cases); returns it for the caller to assess. Audited."""
        with self.vault.write() as tx:
            saved = self._open(tx, actor, scenario_id, Action.ITEM_READ)
            tx.audit.append(actor.name, AssessmentRerun(workspace=saved.workspace,
                                                        assessment=saved.id,
                                                        author=saved.author, cases=cases))
        return saved

    def rename(self, actor: Principal, scenario_id: str, title: str) -> SavedScenario:
        """Give a saved assessment a new title (validated like a scenario file's). Audited."""
        with self.vault.write() as tx:
            saved = self._open(tx, actor, scenario_id, Action.ITEM_UPDATE)
            document = scenario_to_dict(saved.scenario) | {"title": title}
            renamed = parse_scenario(document, self.codebook, file="rename")
            out = tx.scenarios.replace(scenario_id, renamed, self.codebook)
            tx.audit.append(actor.name, AssessmentRenamed(workspace=saved.workspace,
                                                          assessment=saved.id,
                                                          author=saved.author))
        return out

    def mine(self, actor: Principal, limit: int = 50) -> list[SavedScenario]:
        """The actor's own saved assessments, newest first (titles are shown: not audited)."""
        if actor.system:
            return []
        with self.vault.read() as tx:
            return tx.scenarios.by_author(actor.name, self.codebook, limit)

    def in_workspace(self, actor: Principal, workspace: str, limit: int = 50
                     ) -> list[SavedScenario]:
        """The saved assessments shared with a workspace that the actor's role may see;
        NotFound for non-members. The listing (titles are confidential) is audited."""
        with self.vault.write() as tx:
            role = (tx.workspaces.role_of(actor.name, workspace) if not actor.system
                    else None)
            if role is None and not actor.is_admin:
                raise NotFound(f"no workspace '{workspace}'")
            shared = tx.scenarios.in_workspace(workspace, self.codebook, limit)
            shown = [s for s in shared
                     if role is None or visible(role, s.scenario.classification)]
            if shown:
                tx.audit.append(actor.name, AssessmentsListed(
                    workspace=workspace, assessments=tuple(s.id for s in shown)))
        return shown

    def delete(self, actor: Principal, scenario_id: str) -> None:
        with self.vault.write() as tx:
            saved = self._open(tx, actor, scenario_id, Action.ITEM_DELETE)
            tx.scenarios.delete(scenario_id)
            tx.audit.append(actor.name, AssessmentDeleted(workspace=saved.workspace,
                                                          assessment=scenario_id,
                                                          author=saved.author))
