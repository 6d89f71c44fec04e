"""The public surface of parley.api: exactly the documented names, each with a docstring,
type hints and examples that run; a light import; one version everywhere."""

from __future__ import annotations

import doctest
import inspect
import json
import re
import subprocess
import sys
import tomllib
import typing
from pathlib import Path

import pytest

import parley
import parley.api as api
from parley.bootstrap import Parley
from tests.conftest import ROOT

DOC = ROOT / "docs" / "library.md"
HEAVY = ("sqlalchemy", "alembic", "psycopg", "numpy", "scipy", "pandas", "statsmodels",
         "matplotlib", "weasyprint", "docx", "jinja2", "fastapi", "starlette", "typer", "rich",
         "yaml", "cryptography")


def documented_names() -> list[str]:
    """The names in the first column of docs/library.md's Reference table."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("\n## Reference\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([A-Za-z_]+)` \|", section, flags=re.MULTILINE)


def public_objects() -> list[tuple[str, object]]:
    return [(name, getattr(api, name)) for name in api.__all__]


def public_callables() -> list[tuple[str, typing.Callable[..., object]]]:
    """Every public function, and every public method of the public classes defined here."""
    found: list[tuple[str, typing.Callable[..., object]]] = []
    for name, obj in public_objects():
        if inspect.isfunction(obj):
            found.append((name, obj))
        elif inspect.isclass(obj) and obj.__module__ == api.__name__:
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and (not attr.startswith("_") or attr in (
                        "__enter__", "__exit__")):
                    found.append((f"{name}.{attr}", member))
    return found


def test_all_is_exactly_the_documented_list() -> None:
    documented = documented_names()
    assert len(documented) == len(set(documented)), "a name is listed twice in the docs"
    assert sorted(api.__all__) == sorted(documented), (
        "parley.api.__all__ changed: list every public name in docs/library.md (Reference) "
        "and add a CHANGELOG line")
    assert api.__all__ == sorted(api.__all__, key=lambda n: (n[0].islower(), n))


@pytest.mark.parametrize("name", api.__all__)
def test_every_public_name_resolves_and_has_a_docstring(name: str) -> None:
    obj = getattr(api, name)
    doc = inspect.getdoc(obj) or ""
    # a dataclass without a docstring gets its signature as __doc__: that is not documentation
    assert doc.strip() and not doc.startswith(f"{obj.__name__}("), f"{name} has no docstring"


def test_every_public_callable_is_documented_and_typed() -> None:
    namespace = {**vars(api), **{n: getattr(api, n) for n in api.__all__}, "Parley": Parley}
    callables = public_callables()
    assert len(callables) >= 20
    for name, func in callables:
        if not name.endswith(("__enter__", "__exit__")):
            assert (inspect.getdoc(func) or "").strip(), f"{name} has no docstring"
        signature = inspect.signature(func)
        for param in signature.parameters.values():
            if param.name != "self":
                assert param.annotation is not inspect.Parameter.empty, f"{name}({param.name})"
        assert signature.return_annotation is not inspect.Signature.empty, f"{name} return"
        typing.get_type_hints(func, globalns=namespace)  # every annotation resolves


def test_every_docstring_example_runs() -> None:
    finder = doctest.DocTestFinder()
    tests = finder.find(api)
    with_examples = {t.name.removeprefix("parley.api.") for t in tests if t.examples}
    # the entry point, the module and most methods carry a runnable example
    assert {"parley.api", "open_case_base", "run_qca", "to_dict", "CaseBase.assess",
            "CaseBase.render", "CaseBase.qca", "CaseBase.evaluate", "CaseBase.search",
            "CaseBase.list_cases"} <= with_examples | {"parley.api"}
    result = doctest.testmod(api, optionflags=doctest.ELLIPSIS, report=True)
    assert result.failed == 0
    assert result.attempted >= 20


def test_one_version_everywhere() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert api.__version__ == parley.__version__ == project["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", api.__version__)


def test_every_public_name_is_in_the_changelog() -> None:
    """Each public name appears in a CHANGELOG line about parley.api (its addition or change)."""
    lines = [line for line in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8").splitlines()
             if "parley.api" in line]
    text = "\n".join(lines)
    missing = [n for n in api.__all__ if f"`{n}`" not in text]
    assert not missing, f"CHANGELOG.md has no parley.api line naming {missing}"


def test_lazy_names_and_unknown_names() -> None:
    assert {"QcaOptions", "Evaluation", "CaseQcaRun"} <= set(dir(api))
    assert api.QcaOptions().incl_cut == (1.0,)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        api.nothing  # noqa: B018


def test_importing_the_library_is_light() -> None:
    """`import parley.api` loads no database driver, numpy or renderer (they load when used),
    opens nothing and reads no file of the case base."""
    code = ("import json, sys; import parley.api; "
            f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert json.loads(out.stdout) == []


def test_doc_reference_names_every_case_base_method() -> None:
    """The Reference row of CaseBase names each of its public methods."""
    row = next(line for line in DOC.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `CaseBase` |"))
    methods = [n for n, m in vars(api.CaseBase).items()
               if inspect.isfunction(m) and not n.startswith("_")]
    assert [m for m in methods if f"`{m}`" not in row] == []


def test_docs_listed_in_readme() -> None:
    assert "[docs/library.md](docs/library.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_unknown_result_type_is_refused() -> None:
    with pytest.raises(TypeError, match=r"to_dict takes a result of parley\.api"):
        api.to_dict(Path("x"))
