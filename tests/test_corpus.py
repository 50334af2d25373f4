"""The corpus: every kernel parses cleanly and prints back to a fixed point; the manifests
agree with the sources and the references."""
from __future__ import annotations

import inspect

import pytest

import corpus
import reference
import xpiler
from xpiler import ir, spec
from xpiler.printer import Printer

ENTRIES = corpus.entries()
FILES = corpus.files()


def _id(p):
    return str(p.relative_to(corpus.HERE))


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_parses_without_errors_and_round_trips(path):
    m1 = xpiler.parse_file(path)
    errors = [d for d in m1.diagnostics if d.is_error]
    assert not errors, "\n".join(map(str, errors))
    text1 = xpiler.print_module(m1)
    m2 = xpiler.parse(text1, path=str(path))
    assert not [d for d in m2.diagnostics if d.is_error], "the printed file does not parse cleanly"
    assert m1 == m2, "parse(print(parse(src))) differs from parse(src)"
    assert xpiler.print_module(m2) == text1


@pytest.mark.parametrize("path", FILES, ids=_id)
def test_nothing_opaque(path):
    """The corpus uses only constructs the IR models."""
    m = xpiler.parse_file(path)
    opaque = [n for n in m.walk() if isinstance(n, (ir.OpaqueExpr, ir.OpaqueStmt))]
    assert not opaque, [getattr(n, "text", "")[:80] for n in opaque]


def test_corpus_size_and_coverage():
    assert len(ENTRIES) >= 150
    for d in corpus.DIALECTS:
        fams = {e.family for e in ENTRIES if e.dialect == d}
        missing = set(reference.FAMILIES) - fams
        assert not missing, f"{d} lacks {sorted(missing)}"


def test_every_file_has_a_manifest_entry():
    listed = {e.file for e in ENTRIES}
    assert not [p for p in FILES if p not in listed]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_manifest_entry(entry):
    assert entry.file.exists()
    assert entry.family in reference.FAMILIES
    m = xpiler.parse_file(entry.file)
    assert m.dialect == entry.dialect, f"detected {m.dialect}"
    f = m.function(entry.kernel)
    assert f is not None and f.body is not None, f"{entry.kernel} not defined in {entry.file.name}"
    args = spec.parse_args(entry.args)
    names = [a.name for a in args]
    assert sorted(names) == sorted(p.name for p in f.params), "args must name every parameter"
    for o in entry.outputs:
        assert o in names and next(a for a in args if a.name == o).is_buffer
    if entry.launch is not None:
        spec.parse_launch(entry.launch, entry.dialect)
    elif entry.dialect in ("cuda", "hip", "bang"):
        assert f.kind != "kernel", "a device kernel needs a launch (or name its host wrapper)"
    p = Printer(m.dialect, m.language)
    for a in args:
        param = next(q for q in f.params if q.name == a.name)
        assert a.is_buffer == isinstance(param.type, (ir.Pointer, ir.Array)), \
            f"{a.name}: {p.type_name(param.type)} vs {a}"
    # the comments above the kernel, where present, agree with the manifest
    if "args" in f.annotations:
        assert spec.parse_args(f.annotations["args"]) == args
    if "launch" in f.annotations and entry.launch:
        assert spec.parse_launch(f.annotations["launch"], entry.dialect) == spec.parse_launch(entry.launch, entry.dialect)
    # the reference accepts these arguments
    sig = inspect.signature(getattr(reference, entry.family))
    for name, prm in sig.parameters.items():
        if prm.kind is prm.VAR_KEYWORD or prm.default is not prm.empty:
            continue
        assert name in names or name in entry.params, f"reference {entry.family} needs {name}"
