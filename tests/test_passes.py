"""The pass protocol (passes/base.py), its first pass (fold_constants) checked by the
oracle, and the translation report's shape (report.py)."""
from typing import Iterator, Optional

import pytest

from xpiler import ir, parse, passes, print_module
from xpiler.diagnostics import XpilerError
from xpiler.passes.base import Param, Pass, Precondition, Refusal, Space
from xpiler.report import CheckRecord, LineOrigin, NestRecord, PassRecord, SourceInfo, Stage, Translation

SRC = """\
// xpiler: args x=float32[300] y=float32[300] n=300
void k(float *x, float *y, int n) {
    for (int i = 0; i < 64 * 4 + 44; i += 512 / 512) {
        if (0)
            x[i] = 0;
        else
            y[i] = x[i] * (2 - 3) + (7 / 2) + (-7 % 2);
    }
}
"""


class Rename(Pass):
    """Rename one variable (a test pass).

        before: y[i] = x[i];
        after:  y[i] = z[i];     (rename(old=x, new=z))
    """

    name = "test_rename"
    params = (Param("old", passes.NAME, "the name to replace"), Param("new", passes.NAME, "its new name"),
              Param("times", Space.ints(1, 3), "unused", default=1))
    requires = (Precondition("exists", "the old name is used in the module"),
                Precondition("fresh", "the new name is not used yet"))

    def preconditions(self, module, target, old, new, times) -> Iterator[Refusal]:
        names = [n for n in module.walk() if isinstance(n, ir.Name)]
        if not any(n.name == old for n in names):
            yield self.refuse("exists", f"{old} is not used")
        clash = next((n for n in names if n.name == new), None)
        if clash is not None:
            yield self.refuse("fresh", f"{new} is already used", clash)

    def rewrite(self, module, target, old, new, times):
        return self.transform(module, lambda n: ir.Name(new) if isinstance(n, ir.Name) and n.name == old else None)


@pytest.fixture
def rename():
    passes.register(Rename)
    yield Rename()
    passes.REGISTRY.pop(Rename.name, None)


def _m(text=SRC):
    return parse(text, path="k.c")


def test_apply_reports_changes_and_refusals_by_name(rename):
    m = _m()
    r = rename.apply(m, "c", old="y", new="z")
    assert r.ok and "z[i] = x[i]" in print_module(r.module)
    assert r.changed == [(7, 7)]
    assert print_module(m) == print_module(_m())  # the input is untouched
    r = rename.apply(m, "c", old="y", new="x")
    assert not r.ok and r.refused.precondition == "fresh" and r.refused.line == 5
    assert r.module is m and "precondition 'fresh' failed (line 5)" in str(r.refused)
    r = rename.apply(m, "c", old="nothing", new="z")
    assert r.refused.precondition == "exists"


def test_parameters_are_checked_against_their_spaces(rename):
    m = _m()
    with pytest.raises(passes.BadParams, match="required"):
        rename.apply(m, "c", old="y")
    with pytest.raises(passes.BadParams, match="outside"):
        rename.apply(m, "c", old="y", new="z", times=9)
    with pytest.raises(passes.BadParams, match="unknown parameter"):
        rename.apply(m, "c", old="y", new="z", colour="red")
    assert Space.divisor("loop").candidates(extent=12) == [1, 2, 3, 4, 6, 12]
    assert Space.ints(3, 40).candidates() == [4, 8, 16, 32]
    assert Space.one_of("threadIdx.x", "blockIdx.x").validate("taskId")


def test_undeclared_precondition_is_a_bug():
    class Bad(Pass):
        """x"""
        name = "bad"

        def preconditions(self, module, target):
            yield self.refuse("nope", "")

    with pytest.raises(AssertionError, match="undeclared"):
        Bad().apply(_m(), "c")


def test_registry_needs_names_and_docs():
    class NoDoc(Pass):
        name = "no_doc"
    with pytest.raises(ValueError, match="docstring"):
        passes.register(NoDoc)
    with pytest.raises(XpilerError, match="unknown pass 'zzz'"):
        passes.get("zzz")
    for name, cls in passes.REGISTRY.items():
        assert cls.name == name and "before" in cls.doc() and "after" in cls.doc()
        for p in cls.params:
            assert p.space.describe()


def test_sequences_are_data_and_replay(rename):
    seq = passes.parse_sequence("test_rename(old=y, new=z); fold_constants")
    assert passes.format_sequence(seq) == "test_rename(old=y, new=z); fold_constants"
    assert passes.parse_sequence('[{"name": "fold_constants"}]') == [passes.Step("fold_constants")]
    heard = []
    out, results = passes.run_sequence(_m(), seq, "c", progress=heard.append)
    assert [str(s) for s in heard] == ["pass 1/2 test_rename", "pass 2/2 fold_constants"]
    assert [r.name for r in results] == ["test_rename", "fold_constants"]
    text = print_module(out)
    assert "z[i] = x[i] * -1 + 3 + -1;" in text and "if (0)" not in text
    with pytest.raises(passes.PassRefused, match="fresh"):
        passes.run_sequence(_m(), passes.parse_sequence("test_rename(old=y, new=x)"), "c")
    for bad in ("fold constants", "x(a)", '[{"params": {}}]'):
        with pytest.raises(XpilerError):
            passes.parse_sequence(bad)


def test_verify_hook_stops_the_sequence(rename):
    seq = passes.parse_sequence("test_rename(old=y, new=z); fold_constants")
    out, results = passes.run_sequence(_m(), seq, "c", verify=lambda a, b, r: "wrong" if r.name == "test_rename" else None)
    assert len(results) == 1 and results[0].notes == ["verification failed: wrong"]


def test_fold_constants_follows_c():
    m = _m("""\
void k(int *o) {
    o[0] = -7 / 2; o[1] = -7 % 2; o[2] = 2147483647 + 1; o[3] = 1 << 31; o[4] = 5 / 0;
    o[5] = 10u - 11; o[6] = 3 * 4 - 5; o[7] = (1 < 2) + (3 == 3);
    float f = 1.0f / 3;
}""")
    text = print_module(passes.get("fold_constants").apply(m, "c").module)
    assert "o[0] = -3;" in text and "o[1] = -1;" in text
    assert "2147483647 + 1" in text and "1 << 31" in text and "5 / 0" in text  # undefined: left alone
    assert "10u - 11" in text  # unsigned: not an int literal, left to the compiler
    assert "o[6] = 7;" in text and "o[7] = 2;" in text and "1.0f / 3" in text


def test_fold_constants_refuses_a_module_with_parse_errors():
    m = _m("void k(int *o) { o[0] = 1 + ; }")
    r = passes.get("fold_constants").apply(m, "c")
    assert r.refused and r.refused.precondition == "parses" and r.refused.line == 1


def test_fold_constants_unit_test_with_the_oracle():
    """The pass's unit test: its output computes what its input computes."""
    from xpiler import oracle

    m = _m()
    out = passes.get("fold_constants").apply(m, "c").module
    report = oracle.check(SRC, print_module(out), path="k.c", candidate_path="k_folded.c")
    assert report.ok, report.message


def test_translation_report_round_trips_through_json():
    t = Translation(SourceInfo("a.cu", "cuda", ["saxpy"]), "bang", code="...", status="checked", why="ok",
                    launch="dim=4,1,1 type=union1", args="x=float32[16] n=16")
    r = passes.get("fold_constants").apply(_m(), "c")
    t.passes.append(PassRecord.from_result(r))
    t.checks.append(CheckRecord("compute", "oracle", "tested", "2 seeds", seeds=[0, 1], arg_specs=["x=float32[16]"],
                                tolerance={"rtol": 1e-4, "atol": 1e-5}))
    t.nests.append(NestRecord((3, 8), bound_to=["taskId"], not_=["not tensorized: a guard in the body"]))
    t.provenance.append(LineOrigin(5, [3, 4], "loop_recovery"))
    d = t.to_dict()
    assert d["nests"][0]["not"] == ["not tensorized: a guard in the body"] and d["provenance"][0]["pass"]
    assert d["passes"][0]["changed"] and d["passes"][0]["verdict"] == "applied"
    back = Translation.from_json(t.to_json())
    assert back == t and back.ok
    with pytest.raises(ValueError):
        Translation(SourceInfo(None, "c"), "cuda", status="great")
    with pytest.raises(ValueError):
        CheckRecord("compute", "oracle", "passed")  # "passed" is not a verdict: say how it was checked
    assert str(Stage("check", "compute", detail="seed 1")) == "check compute: seed 1"


def test_docs_passes_md_is_written_from_the_docstrings():
    """docs/passes.md is what scripts/passes_doc.py writes (run it after changing a pass)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, str(root / "scripts" / "passes_doc.py"), "--check"], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
