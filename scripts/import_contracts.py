"""Import-linter contract types of our own (named in pyproject.toml's `contract_types`).

`allowlist`: a package may import only what is listed (module expressions, with the
descendants of each), plus the standard library when `allow_standard_library` is true. A
forbidden list always has gaps (a new library is allowed until someone thinks to ban it); an
allow-list fails on anything new, which is what "the domain is pure" means.

lint-imports puts the working directory on sys.path, so `scripts.import_contracts` imports
when it runs from the repository root (as scripts/test does).
"""

from __future__ import annotations

import sys
from typing import Any

from importlinter import Contract, ContractCheck, fields, output


class AllowListContract(Contract):
    """Modules in `source_modules` directly import only `allowed_modules` (and the stdlib)."""

    type_name = "allowlist"

    source_modules = fields.ListField(subfield=fields.ModuleField())
    allowed_modules = fields.ListField(subfield=fields.ModuleField())
    allow_standard_library = fields.BooleanField(required=False, default=True)

    def check(self, graph: Any, verbose: bool) -> ContractCheck:
        allowed = [m.name for m in self.allowed_modules]  # type: ignore[attr-defined]
        stdlib = self.allow_standard_library and sys.stdlib_module_names  # type: ignore[truthy-bool]
        illegal: list[dict[str, Any]] = []
        for source in self.source_modules:  # type: ignore[attr-defined]
            importers = {source.name} | set(graph.find_descendants(source.name))
            for importer in sorted(importers):
                for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                    top = imported.split(".")[0]
                    if stdlib and top in stdlib:
                        continue
                    if any(imported == a or imported.startswith(a + ".") for a in allowed):
                        continue
                    lines = [d["line_number"] for d in
                             graph.get_import_details(importer=importer, imported=imported)]
                    illegal.append({"importer": importer, "imported": imported, "lines": lines})
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error("Imports outside the allow-list:", bold=False)
        output.new_line()
        for link in check.metadata["illegal"]:
            output.print_error(f"- {link['importer']} -> {link['imported']} "
                               f"(l.{', '.join(map(str, link['lines']))})", bold=False)
            output.new_line()
