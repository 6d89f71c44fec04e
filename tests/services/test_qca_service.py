"""services.qca: the one parser of QCA options, and the service over fake adapters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from parley.analysis.comparison import SetDefinition
from parley.analysis.qca import SetData
from parley.analysis.qca.errors import OptionError
from parley.services.qca import QcaAdapters, QcaService, QcaSpec, parse_options


def test_options_parsed_once_from_text() -> None:
    opts = parse_options(QcaSpec(incl_cut="0.8,0.6", dir_exp="A=1,DEV=1;2,B=-", row_dom=True,
                                 pi_cons=0.7, sol_cons=0.8, sol_cov=0.5, max_models=5),
                         ["A", "B", "DEV"], [2, 2, 3])
    assert opts.incl_cut == (0.8, 0.6) and opts.row_dom and opts.limits.max_models == 5
    assert opts.directions == {"A": {1}, "DEV": {1, 2}, "B": frozenset()}
    assert (opts.pi_cons, opts.sol_cons, opts.sol_cov) == (0.7, 0.8, 0.5)


@pytest.mark.parametrize(("spec", "message"), [
    (QcaSpec(incl_cut="high"), "--incl-cut 'high' must be X or X,Y with numbers in [0, 1]"),
    (QcaSpec(incl_cut=(1.2,)), "--incl-cut 1.2 must be within [0, 1]"),
    (QcaSpec(sol_cons=2.0), "--sol-cons 2 must be within [0, 1]"),
    (QcaSpec(n_cut=0), "--n-cut must be at least 1, got 0"),
    (QcaSpec(dir_exp="DEV=4"), "--dir-exp: DEV='4'; use values 0 to 2 separated by ; or -"),
])
def test_bad_options_are_named(spec: QcaSpec, message: str) -> None:
    with pytest.raises(OptionError) as err:
        parse_options(spec, ["A", "DEV"], [2, 3])
    assert str(err.value) == message


def test_cli_args_say_the_same_run() -> None:
    spec = QcaSpec(incl_cut="0.8", include_remainders=True, dir_exp="A=1", row_dom=True,
                   pi_cons=0.9, sol_cov=0.5)
    assert spec.cli_args() == ["--incl-cut", "0.8", "--include-remainders", "--dir-exp", "A=1",
                               "--row-dom", "--pi-cons", "0.9", "--sol-cov", "0.5"]


class FakeMapping:
    conditions: Mapping[str, SetDefinition] = {}
    outcomes: Mapping[str, SetDefinition] = {}


def test_service_over_fake_adapters_reads_once_and_analyses() -> None:
    calls: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = []

    def read(data: bytes, name: str, *, outcome: str, conditions: Sequence[str],
             case_id: str | None = None, multi_value: Sequence[str] = (),
             max_bytes: int | None = None) -> SetData:
        calls.append((name, tuple(conditions), tuple(multi_value)))
        return SetData.from_columns(["D", "B"], [[0, 1, 2, 2, 1, 0], [0, 1, 1, 0, 0, 1]], outcome,
                                    [0, 1, 1, 1, 0, 0], list("abcdef"), multi_value=["D"])

    def calibrate(data: bytes, name: str, specs: Sequence[tuple[str, str | None]], *,
                  linear: bool = False, max_bytes: int | None = None) -> str:
        return ";".join(s for s, _ in specs)

    service = QcaService(QcaAdapters(read, calibrate, FakeMapping, lambda raw, name: FakeMapping()))
    out = service.on_csv(b"", "f.csv", QcaSpec(include_remainders=True), outcome="Y",
                         conditions="D, B", multi_value="D")
    assert calls == [("f.csv", ("D", "B"), ("D",))]
    assert out["multi_value"] == {"D": 3}
    # rows (D, B) -> Y: 00 -> 0, 11 -> 1, 21 -> 1, 20 -> 1, 10 -> 0, 01 -> 0
    assert [m["expression"] for m in out["solutions"]["parsimonious"]["models"]] == [
        "D[1]*B[1] + D[2]"]
    assert service.calibrate(b"", "f.csv", ["G=crisp:1"]) == "G=crisp:1"
