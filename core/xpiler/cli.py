"""The ``xpiler`` command line. Each subcommand is a thin layer over the library."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from . import __version__, dialects
from .diagnostics import Diagnostic, XpilerError
from .frontend import parse
from .printer import print_module
from .summary import summarize, to_dict


def main(argv: Optional[Sequence[str]] = None) -> int:
    ap = argparse.ArgumentParser(
        prog="xpiler",
        description="Transcompile tensor kernels between CUDA, HIP, BANG C, AVX-512 VNNI C and C.")
    ap.add_argument("--version", action="version", version=f"xpiler {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("parse", help="list the kernels of a file, their launches and the parse diagnostics",
                       description="Parse FILE and report its kernels (signature, parameters, launch and "
                                   "argument comments, host launches, on-chip memory) and diagnostics. "
                                   "Exit status 1 when there is an error diagnostic.")
    p.add_argument("file", help="a .cu, .hip, .mlu, .c or .cpp file")
    p.add_argument("--dialect", choices=dialects.NAMES, help="override dialect detection")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(run=cmd_parse)

    f = sub.add_parser("fmt", help="print a file through the IR, consistently formatted",
                       description="Parse FILE and print it back through the IR with the standard layout. "
                                   "The file itself is never modified: the result goes to standard output "
                                   "or to -o OUT. Diagnostics go to standard error.")
    f.add_argument("file")
    f.add_argument("--dialect", choices=dialects.NAMES, help="override dialect detection")
    f.add_argument("-o", "--output", help="write the result here instead of standard output "
                                          "(must not be FILE)")
    f.set_defaults(run=cmd_fmt)

    args = ap.parse_args(argv)
    if not getattr(args, "run", None):
        ap.print_help()
        return 2
    try:
        return args.run(args)
    except XpilerError as e:
        print(f"xpiler: error: {e}", file=sys.stderr)
        for d in e.diagnostics:
            print(f"  {d}", file=sys.stderr)
        return 2


def _read(path: str) -> bytes:
    p = Path(path)
    if not p.exists():
        raise XpilerError(f"{path}: no such file")
    if p.is_dir():
        raise XpilerError(f"{path}: is a directory; give a kernel source file")
    return p.read_bytes()


def cmd_parse(args) -> int:
    module = parse(_read(args.file), args.file, args.dialect)
    infos = summarize(module)
    errors = [d for d in module.diagnostics if d.is_error]
    if args.json:
        report = {
            "file": args.file, "dialect": module.dialect, "language": module.language,
            "kernels": [to_dict(i) for i in infos if i.kind == "kernel"],
            "functions": [to_dict(i) for i in infos if i.kind != "kernel"],
            "diagnostics": [d.to_dict() for d in module.diagnostics],
        }
        print(json.dumps(report, indent=2))
        return 1 if errors else 0
    d = dialects.get(module.dialect)
    kernels = [i for i in infos if i.kind == "kernel"]
    warnings = [g for g in module.diagnostics if g.severity == "warning"]
    print(f"{args.file}: {d.title}, {len(kernels)} kernel{'s' * (len(kernels) != 1)}, "
          f"{len(infos) - len(kernels)} other function{'s' * (len(infos) - len(kernels) != 1)}, "
          f"{len(errors)} error{'s' * (len(errors) != 1)}, {len(warnings)} warning{'s' * (len(warnings) != 1)}")
    for i in infos:
        label = "kernel" if i.kind == "kernel" else f"{i.kind} function"
        print(f"\n{label} {i.name} (line {i.line})")
        print(f"  {i.signature}")
        if i.kind == "kernel":
            if i.launch:
                print(f"  launch: {i.launch} (from the launch comment)")
            if i.args:
                print(f"  args: {i.args} (from the args comment)")
            for h in i.host_launches:
                print(f"  host launch: {h.text} in {h.function}() at line {h.line}")
            if not i.launch and not i.host_launches and module.dialect in ("cuda", "hip", "bang"):
                print("  launch: not declared (add a '// xpiler: launch ...' comment or give --launch when running)")
        for v in i.on_chip:
            size = f"{v.bytes} bytes" if v.bytes is not None else "sized at run time"
            print(f"  {v.space}: {v.type} ({size}, line {v.line})")
    if module.diagnostics:
        print()
        for g in module.diagnostics:
            print(_rel(g, args.file))
    return 1 if errors else 0


def cmd_fmt(args) -> int:
    if args.output and Path(args.output).resolve() == Path(args.file).resolve():
        raise XpilerError("fmt never overwrites its input: give -o a different path, or redirect stdout")
    module = parse(_read(args.file), args.file, args.dialect)
    text = print_module(module)
    for g in module.diagnostics:
        print(_rel(g, args.file), file=sys.stderr)
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 1 if any(g.is_error for g in module.diagnostics) else 0


def _rel(d: Diagnostic, shown: str) -> str:
    code = f" [{d.code}]" if d.code else ""
    return f"{shown}:{d.line}:{d.col}: {d.severity}: {d.message}{code}"


if __name__ == "__main__":
    sys.exit(main())
