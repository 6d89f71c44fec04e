"""docs/security.md names every audit event, role and setting of the confidential side."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from parley.domain.access import AccountRole, Role
from parley.domain.audit import EVENTS
from parley.web.auth import PUBLIC_ROUTES

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_audit_event_is_documented() -> None:
    missing = [e.name for e in EVENTS if f"`{e.name}`" not in DOC]
    assert not missing


def test_every_role_is_in_the_matrix() -> None:
    header = next(line for line in DOC.splitlines() if line.startswith("| action |"))
    assert all(r.value in header for r in Role)


def test_settings_are_in_the_readme() -> None:
    for name in ("PARLEY_MASTER_KEY_FILE", "PARLEY_MASTER_KEY", "PARLEY_PUBLIC_CASES"):
        assert f"`{name}`" in README


def test_every_test_named_in_the_regressions_table_exists() -> None:
    """docs/security-regressions.md names real tests: `file::name`, or `::name` in the file
    named last."""
    table = (ROOT / "docs" / "security-regressions.md").read_text(encoding="utf-8")
    current, missing, named = "", [], 0
    for path, name in re.findall(r"`(tests/[\w/]+\.py)?::(\w+)`", table):
        current = path or current
        tree = ast.parse((ROOT / current).read_text(encoding="utf-8"))
        if name not in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}:
            missing.append(f"{current}::{name}")
        named += 1
    assert not missing and named >= 60, (missing, named)


def test_every_account_role_is_in_the_case_base_table() -> None:
    header = next(line for line in DOC.splitlines() if line.startswith("| case-base action |"))
    assert all(r.value in header for r in AccountRole)


def test_the_public_routes_list_is_web_auth_public_routes() -> None:
    section = DOC.split("### Public routes", 1)[1].split("\n#", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| `")]
    listed = {(m, p) for line in table
              for m, p in re.findall(r"`(GET|POST|PUT|DELETE|PATCH) ([^`]+)`", line)}
    assert listed == set(PUBLIC_ROUTES)
