"""Tests mirror `src/parley/`: a module's tests are where a newcomer looks first.

The rule (also in tests/README.md): the tests of `src/parley/PKG/MODULE.py` are in
`tests/PKG/test_MODULE.py`, or, when one file is not enough, in `tests/PKG/test_MODULE_TOPIC.py`
(`storage/cases.py` -> `tests/storage/test_cases_repository.py`, `test_cases_search_syntax.py`).
A package's own tests (`analysis/qca/`) may be named after it (`test_qca_conformance.py`); a
top-level module (`quick.py`) is tested in `tests/test_quick.py`, or in a folder named after it
when it has many (`api.py` -> `tests/api/`). `tests/web/` holds the tests of `web/`,
`web/api/` and `web/pages/` together: an area's JSON API and its page are one feature, tested
through one client (`test_workspaces_web.py`). Migrations are tested one per revision
(`tests/storage/test_migration_NNNN.py`, NNNN a file of `storage/migrations/versions/`).

Everything else is a stray and fails here, unless it is one of the cross-cutting suites in
`CROSS_CUTTING` below, each with the reason it belongs to no single module.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "parley"
TESTS = ROOT / "tests"

MERGED = {"web": ("web", "web/api", "web/pages")}
"""Test folders that hold the tests of several source packages (see the docstring)."""

CROSS_CUTTING: dict[str, str] = {
    # the architecture as a whole: contracts, purity, the generated architecture doc
    "test_architecture.py": "layers and purity of every package",
    "test_architecture_doc.py": "docs/architecture.md generated from every module",
    "test_layout.py": "this file: where every test lives",
    "test_import_contracts.py": "the import contracts of pyproject.toml, a planted bypass each",
    # the contracts and maintainers' scripts outside src/
    "test_interfaces_doc.py": "docs/interfaces.md against the real CLI, OpenAPI and JSON",
    "scripts/test_knowledge_docs.py": "scripts/knowledge_docs.py, the generated knowledge docs",
    "scripts/test_pack_dictionary.py": "scripts/pack_dictionary.py, the packing dictionaries",
    # documents that promise a test for each item
    "test_security_docs.py": "docs/security*.md name a test for every attack and setting",
    # the test suite's own helpers that are not fixtures
    "test_head_schema.py": "tests/head_schema.py, the migrated SQLite copy support.build uses",
    # the benchmarks' own generator, in bench/ (not in src/)
    "bench/test_synthetic.py": "bench/synthetic.py, the synthetic case generator",
    # security regressions and whole-system properties, through the real app or server
    "web/test_access_matrix.py": "every role x every route: the access rules end to end",
    "web/test_case_base_attack.py": "issue 8-style attacks on the case base, every front end",
    "web/test_concurrency.py": "two `parley serve` racing on one database",
    "web/test_crash.py": "SIGKILL of the server mid-write, on both databases",
    "web/test_row_integrity_web.py": "issue 8 item 9: forged rows, seen through the web",
    "web/test_schemathesis.py": "fuzzing every operation of the OpenAPI schema",
    "web/test_web_hygiene.py": "headers, file modes and caching of every answer",
    # end-to-end in Chromium: a user's path across pages, named after the path
    "web/test_browser.py": "the case explorer and the assessment form in a browser",
    "web/test_spanish_browser.py": "the main jobs done in Spanish, in a browser",
    "web/test_actor_map_browser.py": "the actor map page on a phone-sized screen",
}
"""Test files (relative to tests/) that belong to no single module, each with its reason."""

_MIGRATION = re.compile(r"test_migration_(\d{4})(_\w+)?\.py")


def _modules() -> dict[str, set[str]]:
    """Source folder (relative to src/parley, "" for the top) -> module and package names
    a test there may be named after."""
    found: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC)
        if "migrations" in rel.parts:
            continue
        folder = rel.parent.as_posix()
        folder = "" if folder == "." else folder
        names = found.setdefault(folder, set())
        if path.stem != "__init__":
            names.add(path.stem)
        elif folder:
            names.add(folder.rsplit("/", 1)[-1])  # the package itself
            found.setdefault(folder.rsplit("/", 1)[0] if "/" in folder else "", set()).add(
                folder.rsplit("/", 1)[-1])
    return found


def _migrations() -> set[str]:
    versions = SRC / "storage" / "migrations" / "versions"
    return {p.name[:4] for p in versions.glob("[0-9][0-9][0-9][0-9]_*.py")}


def _named_after(stem: str, names: set[str]) -> bool:
    return any(stem == n or stem.startswith(n + "_") for n in names)


def strays(tests: Path = TESTS) -> list[str]:
    """Test files (relative to `tests`) whose folder or name mirrors no source module."""
    modules = _modules()
    migrations = _migrations()
    found = []
    for path in sorted(tests.rglob("test_*.py")):
        rel = path.relative_to(tests).as_posix()
        if rel in CROSS_CUTTING:
            continue
        folder = path.parent.relative_to(tests).as_posix()
        folder = "" if folder == "." else folder
        stem = path.stem.removeprefix("test_")
        sources = MERGED.get(folder, (folder,))
        names = set().union(*(modules.get(s, set()) for s in sources))
        top, _, rest = folder.partition("/")
        if folder in modules or folder in MERGED:
            migration = _MIGRATION.fullmatch(path.name)
            if folder == "storage" and migration:
                ok = migration.group(1) in migrations
            else:
                ok = _named_after(stem, names)
        else:  # a folder named after a top-level module: tests/api/ for api.py
            ok = not rest and top in modules.get("", set()) and (SRC / f"{top}.py").is_file()
        if not ok:
            found.append(rel)
    return found


def test_every_test_file_mirrors_a_source_module() -> None:
    assert strays() == [], (
        "these test files mirror no module of src/parley: name them tests/PKG/test_MODULE.py "
        "or test_MODULE_TOPIC.py (tests/README.md), or, for a suite that crosses modules, add "
        "it to CROSS_CUTTING in tests/test_layout.py with the reason")


def test_the_allow_list_names_files_that_exist() -> None:
    assert [f for f in CROSS_CUTTING if not (TESTS / f).is_file()] == []


def test_a_stray_is_found(tmp_path: Path) -> None:
    """The check can fail: a name mirroring nothing, a folder mirroring nothing, a migration
    that does not exist; and it passes the rules' own examples."""
    for rel in ("storage/test_cases.py", "storage/test_cases_repository.py",
                "storage/test_nothing.py", "misc/test_cases.py", "storage/test_migration_0015.py",
                "storage/test_migration_9999.py", "web/test_workspaces_web.py",
                "analysis/qca/test_qca_conformance.py", "test_quick.py", "test_nothing.py",
                "api/test_anything.py", "api/deeper/test_api.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).touch()
    assert strays(tmp_path) == ["api/deeper/test_api.py", "misc/test_cases.py",
                                "storage/test_migration_9999.py", "storage/test_nothing.py",
                                "test_nothing.py"]
