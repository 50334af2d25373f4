"""The seeded-bug corpus (tests/kernels/bugs/, manifest bugs.toml): the CPU emulation finds
each planted bug as a finding of the right kind at the right line, with the thread or
task that did it, and the correct twin of every buggy kernel runs clean; `xpiler check`
agrees (exit status 1 on a buggy file, 0 on its twin)."""
from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import corpus
from xpiler.cli import main
from xpiler.runtime import execute
from xpiler.runtime.findings import KINDS

BUGS = Path(__file__).resolve().parent / "kernels" / "bugs"
ENTRIES: list[dict] = tomllib.loads((BUGS / "bugs.toml").read_text())["bug"]
SOURCE_EXTS = {".cu", ".hip", ".mlu", ".c", ".cpp"}
DEVICE = {"cuda", "hip", "bang"}
# kinds whose findings must name the GPU thread or BANG task that did it
WHO_KINDS = {"race", "out-of-bounds-read", "out-of-bounds-write"}
WHO = {"cuda": r"thread \(\d+,\d+,\d+\) of block \(\d+,\d+,\d+\)", "hip": r"thread \(\d+,\d+,\d+\) of block \(\d+,\d+,\d+\)",
       "bang": r"task \d+ \("}
# what each kind must cover: at least five buggy kernels, spread over these dialects
REQUIRED = {
    "out-of-bounds-write": {"cuda", "hip", "bang", "c", "vnni"},
    "out-of-bounds-read": {"cuda", "hip", "bang", "c", "vnni"},
    "uninitialized-read": {"cuda", "hip", "bang"},
    "race": {"cuda", "hip"},
    "barrier-divergence": {"cuda", "hip"},
    "operand-space": {"bang"},
    "operand-overlap": {"bang"},
    "capacity": {"bang", "cuda"},
}


def _id(e: dict) -> str:
    return e["file"]


PARAMS = [pytest.param(e, id=_id(e)) for e in ENTRIES]


def _run(rel: str, kernel: str):
    path = BUGS / rel
    return execute(path.read_text(), path=str(path), kernel=kernel)


def _show(ex) -> str:
    return "\n".join(f"  {f}" for f in ex.findings) or "  (no findings)"


# ------------------------------------------------------------------ the manifest


def test_manifest_covers_every_file_and_kind():
    named = Counter()
    for e in ENTRIES:
        assert set(e) >= {"file", "fixed", "kernel", "dialect", "kind", "line", "description"}, e
        assert e["kind"] in KINDS, e["kind"]
        buggy, fixed = BUGS / e["file"], BUGS / e["fixed"]
        assert buggy.is_file() and fixed.is_file(), e["file"]
        # the twin is <name>.fixed.<ext>, next to the buggy kernel
        assert fixed.parent == buggy.parent and fixed.name == f"{buggy.stem}.fixed{buggy.suffix}", e["fixed"]
        assert 1 <= e["line"] <= len(buggy.read_text().splitlines()), e["file"]
        named[e["file"]] += 1
        named[e["fixed"]] += 1
    on_disk = {str(p.relative_to(BUGS)) for p in BUGS.glob("*/*") if p.suffix in SOURCE_EXTS}
    assert on_disk == set(named), f"not in bugs.toml: {sorted(on_disk - set(named))}"
    assert max(named.values()) == 1, "a file is named by two entries"
    dialects = defaultdict(set)
    for e in ENTRIES:
        dialects[e["kind"]].add(e["dialect"])
    by_kind = Counter(e["kind"] for e in ENTRIES)
    for kind, need in REQUIRED.items():
        assert by_kind[kind] >= 5, f"{kind}: {by_kind[kind]} buggy kernels"
        assert need <= dialects[kind], f"{kind}: no kernel in {sorted(need - dialects[kind])}"


def test_main_corpus_does_not_list_the_bug_kernels():
    assert not [p for p in corpus.files() if BUGS in p.parents]


# ------------------------------------------------------------------ the emulation


@pytest.mark.parametrize("entry", PARAMS)
def test_bug_is_found_at_its_line(entry):
    ex = _run(entry["file"], entry["kernel"])
    assert ex.status == "ok", ex.message
    hits = [f for f in ex.findings if f.kind == entry["kind"] and f.line == entry["line"]]
    assert hits, f"no {entry['kind']} at line {entry['line']} of {entry['file']}; found:\n{_show(ex)}"
    if entry["kind"] in WHO_KINDS and entry["dialect"] in DEVICE:
        assert re.search(WHO[entry["dialect"]], hits[0].who), hits[0].who


@pytest.mark.parametrize("entry", PARAMS)
def test_fixed_twin_runs_clean(entry):
    ex = _run(entry["fixed"], entry["kernel"])
    assert ex.status == "ok", ex.message
    errors = [f for f in ex.findings if f.severity == "error"]
    assert not errors, f"{entry['fixed']}:\n{_show(ex)}"


# ------------------------------------------------------------------ the CLI

CLI_FILES = ["oob_write/transpose_ld.c", "race/reduce_nosync.cu", "barrier/tile_done_return.hip",
             "overlap/transpose_inplace.mlu", "capacity/sram_stage.mlu"]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e["file"] in CLI_FILES], ids=_id)
def test_cli_check_exit_status(entry, capsys):
    buggy, fixed = BUGS / entry["file"], BUGS / entry["fixed"]
    assert main(["check", str(buggy)]) == 1
    out = capsys.readouterr().out
    assert f"{buggy}:{entry['line']}:1: error:" in out and f"[{entry['kind']}]" in out, out
    assert main(["check", str(fixed)]) == 0, capsys.readouterr().out
