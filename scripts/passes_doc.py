"""Write docs/passes.md from the passes' own docstrings (the registry's modules, in the
order of the default sequence), so the page never drifts from the code.

    .venv/bin/python scripts/passes_doc.py           # rewrite docs/passes.md
    .venv/bin/python scripts/passes_doc.py --check   # exit 1 when it is stale (tests run this)
"""
from __future__ import annotations

import argparse
import inspect
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "core"))

from xpiler import driver, passes  # noqa: E402

HEAD = """# Passes

Each pass is one module in `core/xpiler/passes/`, on the protocol of `passes/base.py`
(docs/architecture.md): a name, parameters with declared spaces, named preconditions
checked before it runs (a refused pass names the precondition and the line, and changes
nothing), `apply(module, target, **params)` through the one transformer, and a unit test
that runs the oracle on its input and output. A sequence is data:
`xpiler translate FILE --to bang --passes "inline_calls; loop_recovery; bind; host_code; retarget"`.

The default sequence (core/xpiler/driver.py): lift the source to the C hub ({lift}),
{lower}. CUDA <-> HIP first tries the direct path (`hipify`), and falls back to the C
round trip when it refuses or its result fails its checks. This page is written from the
passes' own docstrings by `scripts/passes_doc.py`; keep them the source.
"""


def _order() -> list[str]:
    names: list[str] = []
    for src in ("c", "vnni", "cuda", "hip", "bang"):
        for name, _ in driver.LIFT[src]:
            if name not in names:
                names.append(name)
    for name, _ in driver.LOWER:
        if name not in names:
            names.append(name)
    return names + sorted(n for n in passes.REGISTRY if n not in names)


def _section(cls) -> str:
    mod = sys.modules[cls.__module__]
    text = inspect.cleandoc(mod.__doc__ or cls.doc())
    text = re.sub(r"^``\w+``:\s*", "", text, count=1)
    text = text[:1].upper() + text[1:]
    out = [f"## `{cls.name}` ({cls.stage})", "", text, ""]
    if cls.params:
        out += ["Parameters:", ""]
        out += [f"- `{p.name}`: {p.space.describe()}. {p.doc}".rstrip() for p in cls.params]
        out.append("")
    if cls.requires:
        out += ["Preconditions:", ""]
        out += [f"- `{r.name}`: {r.doc}" for r in cls.requires]
        out.append("")
    return "\n".join(out)


def render() -> str:
    lift = "; ".join(f"{src.upper() if src != 'c' else 'C'}: " + ", ".join(f"`{n}`" for n, _ in driver.LIFT[src])
                     for src in ("cuda", "hip", "c", "bang", "vnni"))
    lower = ", ".join(f"`{n}`" for n, _ in driver.LOWER)
    parts = [HEAD.format(lift=lift, lower=lower)]
    parts += [_section(passes.REGISTRY[n]) for n in _order()]
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if docs/passes.md is not what this writes")
    a = ap.parse_args()
    path = ROOT / "docs" / "passes.md"
    text = render()
    if a.check:
        if path.read_text() != text:
            print("docs/passes.md is stale: run .venv/bin/python scripts/passes_doc.py", file=sys.stderr)
            return 1
        return 0
    path.write_text(text)
    print(f"wrote {path.relative_to(ROOT)} ({len(passes.REGISTRY)} passes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
