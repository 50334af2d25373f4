"""The one rewriting discipline (`ir.transform`): what passes, the emulation printer and
the mutants rely on."""
import pytest

from xpiler import ir, parse, print_module
from xpiler.mutants import mutants

SRC = """\
void k(float *x, float *y, int n) {
    for (int i = 0; i < n; ++i)
        if (x[i] > 0)
            y[i] = x[i];
}
"""


def _module():
    m = parse(SRC, path="k.c")
    assert not [d for d in m.diagnostics if d.is_error]
    return m


def _find(node, cls):
    return [n for n in node.walk() if isinstance(n, cls)]


def test_a_list_in_a_single_statement_slot_becomes_a_block():
    """Before: the list stood where one statement must, and the printer broke on it."""
    m = _module()

    def two(n):
        if isinstance(n, ir.ExprStmt) and isinstance(n.expr, ir.Assign):
            return [n, ir.ExprStmt(ir.Assign("+=", ir.Index(ir.Name("y"), ir.Name("i")), ir.IntLit(1)))]
        return None

    out = ir.transform(m, two, origin="test")
    text = print_module(out)
    assert "y[i] = x[i];\n" in text and "y[i] += 1;" in text
    assert "if (x[i] > 0) {" in text  # wrapped, so both statements stay under the if
    again = parse(text, path="k.c")
    assert print_module(again) == text


def test_statement_lists_splice_and_delete():
    m = _module()
    body = m.functions[0].body

    def drop_loop(n):
        if isinstance(n, ir.For):
            return [ir.Comment("// gone"), ir.Empty()]
        return None

    out = ir.transform(body, drop_loop)
    assert [type(s).__name__ for s in out.stmts] == ["Comment", "Empty"]
    assert ir.transform(body, lambda n: [] if isinstance(n, ir.For) else None).stmts == []


def test_a_list_where_an_expression_stands_is_an_error():
    m = _module()
    with pytest.raises(ir.TransformError, match="list"):
        ir.transform(m, lambda n: [ir.Empty()] if isinstance(n, ir.Name) else None)
    with pytest.raises(ir.TransformError, match="Expr must stand"):
        ir.transform(m, lambda n: ir.Empty() if isinstance(n, ir.Name) else None)


def test_fresh_caches_and_loop_info_and_the_input_untouched():
    m = _module()
    m.cache["summary"] = "stale"
    before = print_module(m)
    loop = _find(m, ir.For)[0]

    def edit(n):
        if isinstance(n, ir.For):
            n.info.kind = "parallel"  # in place, on the copy
        if isinstance(n, ir.Name) and n.name == "y":
            n.name = "z"
        return None

    out = ir.transform(m, edit, origin="edit")
    assert out.cache == {} and m.cache == {"summary": "stale"}
    assert _find(out, ir.For)[0].info.kind == "parallel"
    assert loop.info.kind == "serial"  # the input's LoopInfo is not shared
    assert print_module(m) == before
    assert "z[i] = x[i]" in print_module(out)
    # nothing mutable is shared between the two trees
    old_ids = {id(n) for n in m.walk()}
    assert not [n for n in out.walk() if id(n) in old_ids]


def test_spans_kept_and_origin_marks_what_the_pass_made():
    m = _module()

    def scale(n):
        if isinstance(n, ir.Index) and isinstance(n.base, ir.Name) and n.base.name == "x":
            return ir.Binary("*", n, ir.FloatLit(2.0, "2.0f"))
        return None

    out = ir.transform(m, scale, origin="scale")
    made = [n for n in out.walk() if n.origin == "scale"]
    assert {type(n).__name__ for n in made} == {"Binary", "FloatLit"}
    assert len(made) == 4  # two reads of x, each a Binary and a literal
    assert {n.span.line for n in made} == {3, 4}  # the lines of the code they stand in
    kept = [n for n in out.walk() if isinstance(n, ir.Index)]
    assert kept and all(n.span is not None and n.origin is None for n in kept)
    assert _find(out, ir.For)[0].span == _find(m, ir.For)[0].span


def test_with_original_sees_the_input_node():
    m = _module()
    target = _find(m, ir.If)[0]
    seen = []
    ir.transform(m, lambda new, old: seen.append(old is target) or None, with_original=True)
    assert seen.count(True) == 1


def test_mutants_are_made_through_the_transformer():
    m = _module()
    ms = list(mutants(m))
    assert ms, "expected mutants of a loop and a guard"
    for mu in ms:
        assert print_module(mu.module) != print_module(m)
    flips = [mu for mu in ms if mu.kind == "off-by-one"]
    assert flips and "i <= n" in print_module(flips[0].module)
    assert print_module(m) == print_module(_module())  # the original is untouched


def test_emulation_braces_every_substatement():
    from xpiler.runtime.emit import EmuPrinter, renames

    m = _module()
    text = EmuPrinter(m, path="k.c", rename=renames(m)).module(m)
    assert "for (int i = 0; XP_LINE(2), i < n; ++i) {" in text
    assert "if (XP_RD(x, i) > 0) {" in text
    assert "XP_LINE(4); XP_WR(y, i) = XP_RD(x, i);" in text
    assert print_module(m) == SRC  # braces only in the emulation's copy
