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

    r = sub.add_parser("run", help="run a kernel on this CPU (emulated for GPU and MLU dialects)",
                       description="Run a kernel of FILE on this CPU and write every pointer argument back to "
                                   "OUT/NAME.npy. Arguments: --arg NAME=PATH.npy for buffers, --arg NAME=VALUE for "
                                   "scalars (--arg NAME=DTYPE[SHAPE] generates seeded random data); anything not "
                                   "given comes from the '// xpiler: args' comment, host code or inference. The "
                                   "launch comes from --launch, the '// xpiler: launch' comment, host code or "
                                   "inference, in that order. --kernel may name a host function (a wrapper that "
                                   "allocates, copies and launches): it then runs as written.")
    r.add_argument("file")
    r.add_argument("--kernel", help="the kernel or host function to run (default: the file's only kernel)")
    r.add_argument("--launch", help="CUDA/HIP: 'grid=X,Y,Z block=X,Y,Z [shared=BYTES]'; BANG: "
                                    "'dim=X,Y,Z type=block|union1|union2|union4|union8|union16'")
    r.add_argument("--arg", action="append", default=[], metavar="NAME=VALUE",
                   help="NAME=PATH.npy, NAME=NUMBER or NAME=DTYPE[SHAPE] (repeatable)")
    r.add_argument("--out", required=True, help="directory for the NAME.npy outputs (created if needed)")
    r.add_argument("--dialect", choices=dialects.NAMES)
    r.add_argument("--seed", type=int, default=0, help="seed for generated inputs (default 0)")
    r.add_argument("--timeout", type=float, default=60.0, help="seconds before the run is stopped (default 60); "
                                                               "a stopped run says how far it got")
    r.add_argument("--no-checks", action="store_true", help="run without bounds/race/initialisation checks "
                                                            "(several times faster)")
    r.add_argument("--sample", type=int, metavar="N", help="a checked run of N of the kernel's blocks or tasks "
                                                           "(spread evenly, the first and last among them); the "
                                                           "others do not run, so the outputs are partial")
    r.add_argument("--json", action="store_true", help="print the report as JSON")
    r.set_defaults(run=cmd_run)

    c = sub.add_parser("check", help="run kernels on random inputs and report out-of-bounds accesses, races and misuse",
                       description="Run each kernel of FILE (or --kernel) on seeded random inputs under its "
                                   "resolved launch and argument spec, and report findings at their lines: "
                                   "out-of-bounds accesses, reads of never-written memory, races on shared "
                                   "memory, barrier divergence, BANG operand-space, overlap and capacity "
                                   "violations. --compile adds the real toolchain's verdict (for BANG, which has "
                                   "no compiler here, the strict declaration header's). A port (a kernel "
                                   "with a '// xpiler: port-of PATH KERNEL' comment, or any file with "
                                   "--against) is instead compared with its original on the same random "
                                   "inputs: each disagreement at the port's statement that wrote the first "
                                   "wrong element (expected and actual values, thread or task), the port's own "
                                   "findings beside them; --alone checks it on its own. Exit status 0 only "
                                   "when there is no finding (a port: when it agrees with its original).")
    c.add_argument("file")
    c.add_argument("--kernel", help="check only this kernel (or host function)")
    c.add_argument("--launch", help="launch spec, as for run")
    c.add_argument("--arg", action="append", default=[], metavar="NAME=VALUE", help="as for run")
    c.add_argument("--compile", action="store_true", help="also compile with the real toolchain "
                                                          "(nvcc, hipcc, gcc; BANG: strict declaration header)")
    c.add_argument("--dialect", choices=dialects.NAMES)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--timeout", type=float, default=60.0, help="seconds for each kernel's run (default 60); a "
                                                               "stopped run says how far it got")
    c.add_argument("--sample", type=int, metavar="N", help="check N of each kernel's blocks or tasks (spread "
                                                           "evenly, the first and last among them): for heavy "
                                                           "kernels; findings in the others are not looked for")
    c.add_argument("--against", metavar="FILE[:KERNEL]", help="compare with this original (default: the one "
                                                               "the port-of comment names)")
    c.add_argument("--alone", action="store_true", help="check the file on its own even if it names an original")
    c.add_argument("--json", action="store_true")
    c.set_defaults(run=cmd_check)

    t = sub.add_parser("translate", help="translate a file's kernels to another dialect, checked by the oracle",
                       description="Translate the kernels of FILE (or --kernel) to --to, check the result against "
                                   "the source on random inputs (two seeds, two argument specs where the kernel "
                                   "takes sizes) and with the target's real compiler where installed (BANG: the "
                                   "strict declaration header, labelled so), and write it beside FILE as "
                                   "FILE-stem.SUFFIX (a numbered name when that exists; -o to choose; never over "
                                   "FILE). Exit status 0 only when the result passed its checks; a failed "
                                   "translation is not written unless --keep-failed. Progress goes to stderr.")
    t.add_argument("file")
    t.add_argument("--to", required=True, choices=dialects.NAMES, help="the target dialect")
    t.add_argument("--kernel", help="translate only this kernel (default: every kernel of the file)")
    t.add_argument("-o", "--output", help="where to write the result (default: beside FILE)")
    t.add_argument("--force", action="store_true", help="overwrite the output file if it exists (never FILE)")
    t.add_argument("--keep-failed", action="store_true", help="write a translation that failed its checks, "
                                                             "marked so at its top")
    t.add_argument("--passes", help="the pass sequence to run instead of the default, e.g. "
                                    "'inline_calls; loop_recovery; bind(block=128); retarget'")
    t.add_argument("--verify", choices=("final", "passes", "none"), default="final",
                   help="check the result (default; names the first wrong pass on failure), after every pass, "
                        "or not at all (the result is then 'unverified')")
    t.add_argument("--no-compile", action="store_true", help="skip the compiler check")
    t.add_argument("--dialect", choices=dialects.NAMES, help="override the source's dialect detection")
    t.add_argument("--timeout", type=float, default=60.0, help="seconds for each run of a kernel (default 60)")
    t.add_argument("--inputs", action="append", default=[], metavar="NAME=GEN",
                   help="how to fill an input buffer whose values must lie in a range: NAME=perm(N), "
                        "NAME=randint(LO,HI), NAME=uniform(LO,HI), NAME=const(V) (repeatable; written into the "
                        "args comments as NAME=DTYPE[SHAPE]:GEN)")
    t.add_argument("--json", action="store_true", help="print the translation report as JSON")
    t.set_defaults(run=cmd_translate)

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



def _arg_values(items: list[str], seed: int) -> dict:
    """--arg NAME=PATH.npy | NAME=NUMBER | NAME=DTYPE[SHAPE]."""
    import numpy as np

    from . import spec
    from .runtime import inputs

    rng = np.random.default_rng(seed)
    out: dict = {}
    for item in items:
        if "=" not in item:
            raise XpilerError(f"--arg expects NAME=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        if value.endswith(".npy"):
            if not Path(value).exists():
                raise XpilerError(f"--arg {name}: no such file {value}")
            out[name] = np.load(value)
        else:
            a = spec.parse_arg(name, value)
            out[name] = inputs.generate(a, rng) if a.is_buffer else a.value
    return out


def _report_run(ex, path: str) -> list[str]:
    lines = []
    if ex.launch is not None:
        lines.append(f"launch: {ex.launch} (from {ex.launch_source})")
    for e in ex.evidence:
        lines.append(f"  evidence: {e}")
    lines.append(f"ran {ex.kernel} in {ex.elapsed:.2f} s (compile {ex.compile_seconds:.2f} s): {ex.status}"
                 + (f" -- {ex.message}" if ex.message else ""))
    p = ex.progress
    if ex.sampled and p is not None:
        lines.append(f"  sampled: ran {p.ran} of {p.total} {p.unit}s (the others did not run: their outputs are "
                     f"missing and their findings not looked for)")
    for name, w in ex.written.items():
        if w.any() and not w.all() and not ex.sampled:  # partly written outputs; inputs are simply not written
            lines.append(f"  {name}: {int((~w).sum())} of {w.size} elements not written")
    for f in ex.findings:
        lines.append(_rel(f.diagnostic(path), path))
    return lines


def _progress(ex) -> Optional[dict]:
    """How far a run got, for --json (None: the program reported nothing)."""
    import dataclasses

    return dataclasses.asdict(ex.progress) if ex.progress is not None else None


def _kernel_rule(dialect: str) -> str:
    """What makes a function a kernel in ``dialect``, for error messages."""
    d = dialects.get(dialect)
    qual = d.function_qualifiers.get("kernel")
    if qual:
        aliases = [a for a, canonical in d.extra_qualifier_spellings.items() if canonical == qual]
        return f"a {d.title} kernel is a function defined {' or '.join([qual] + aliases)}"
    # C and VNNI spell no qualifier: the front end's rule (frontend/convert.py, _classify_c_kernels)
    return (f"a {d.title} kernel is a function defined in the file that is not main, static or inline "
            f"and that no other function of the file calls")


def _require_kernel(module, path: str, kernel: Optional[str]) -> None:
    """A file with no kernel is an error (unless --kernel names the function to run)."""
    if kernel or module.kernels:
        return
    defined = sorted({f.name for f in module.functions if f.body is not None})
    hint = (f"; to run one of its functions ({', '.join(defined)}) as written, give --kernel NAME" if defined
            else "; it defines no function at all")
    raise XpilerError(f"{path} has no kernel: {_kernel_rule(module.dialect)}{hint}")


def cmd_run(args) -> int:
    import numpy as np

    from .runtime import execute
    from .runtime.run import load

    values = _arg_values(args.arg, args.seed)
    module = load(_read(args.file), args.file, args.dialect)
    _require_kernel(module, args.file, args.kernel)
    if args.sample is not None and args.no_checks:
        raise XpilerError("--sample runs a checked sample of blocks or tasks: it does not go with --no-checks")
    ex = execute(module, path=args.file, dialect=args.dialect, kernel=args.kernel, args=values,
                 launch=args.launch, checks=not args.no_checks, timeout=args.timeout, seed=args.seed,
                 sample=args.sample)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, arr in ex.outputs.items():
        np.save(out / f"{name}.npy", arr)
    if args.json:
        print(json.dumps({
            "kernel": ex.kernel, "status": ex.status, "message": ex.message, "elapsed": ex.elapsed,
            "compile_seconds": ex.compile_seconds, "launch": str(ex.launch) if ex.launch else None,
            "launch_source": ex.launch_source, "evidence": ex.evidence, "progress": _progress(ex),
            "outputs": {k: str(out / f"{k}.npy") for k in ex.outputs},
            "not_written": {k: int((~w).sum()) for k, w in ex.written.items()},
            "findings": [f.diagnostic(args.file).to_dict() for f in ex.findings]}, indent=2))
    else:
        print("\n".join(_report_run(ex, args.file)))
        print(f"wrote {', '.join(str(out / f'{k}.npy') for k in ex.outputs) or 'nothing'}")
    return 0 if ex.ok else 1


def cmd_check(args) -> int:
    from .runtime import execute
    from .runtime.run import load

    module = load(_read(args.file), args.file, args.dialect)
    if args.against or (not args.alone and any("port-of" in f.annotations for f in module.functions
                                               if f.body is not None and (not args.kernel or f.name == args.kernel))):
        return _review(args)
    _require_kernel(module, args.file, args.kernel)
    targets = [module.function(args.kernel)] if args.kernel else module.kernels
    if args.kernel and (targets[0] is None or targets[0].body is None):
        raise XpilerError(f"no function '{args.kernel}' in {args.file}")
    report: dict = {"file": args.file, "dialect": module.dialect, "kernels": [], "compile": None}
    clean = True
    lines: list[str] = []
    if args.compile:
        from .toolchains import compile_check

        cr = compile_check(_read(args.file), args.file, module.dialect)
        report["compile"] = {"tool": cr.tool, "verdict": cr.verdict, "message": cr.message,
                             "diagnostics": [d.to_dict() for d in cr.diagnostics]}
        lines.append(f"compile: {cr.message}")
        lines += [_rel(d, args.file) for d in cr.diagnostics]
        clean &= not cr.failed  # the strict BANG header's rejection counts too
    values = _arg_values(args.arg, args.seed)
    for f in targets:
        try:
            ex = execute(module, kernel=f.name, args=dict(values), launch=args.launch, timeout=args.timeout,
                         seed=args.seed, sample=args.sample)
            if ex.status == "timeout":  # check looks for findings: --no-checks is no way out here
                from .runtime.run import timeout_message

                ex.message = timeout_message(ex.kernel, args.timeout, ex.progress, True, ("--timeout", "--sample"))
        except XpilerError as e:
            clean = False
            report["kernels"].append({"kernel": f.name, "status": "not run", "message": str(e)})
            lines.append(f"{f.name}: not run: {e}")
            continue
        findings = [fd.diagnostic(args.file) for fd in ex.findings]
        clean &= ex.ok and not findings
        report["kernels"].append({
            "kernel": f.name, "status": ex.status, "message": ex.message, "launch": str(ex.launch) if ex.launch else None,
            "launch_source": ex.launch_source, "elapsed": ex.elapsed, "progress": _progress(ex),
            "not_written": {k: int((~w).sum()) for k, w in ex.written.items()},
            "findings": [d.to_dict() for d in findings]})
        lines.append(f"{f.name}:")
        lines += ["  " + ln for ln in _report_run(ex, args.file)]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print("\n".join(lines))
        print("no findings" if clean else "findings reported")
    return 0 if clean else 1




def _review(args) -> int:
    """``xpiler check PORT``: the port compared with its original (``review.review_port``)."""
    from .review import review_port

    if args.alone:
        raise XpilerError("--against and --alone contradict each other: drop one")
    given = [f for f, v in (("--arg", args.arg), ("--launch", args.launch), ("--sample", args.sample),
                            ("--compile", args.compile)) if v]
    if given:
        raise XpilerError(f"{', '.join(given)} do not apply when comparing a port with its original (the "
                          f"original's argument spec and each file's launch are used): add --alone to check "
                          f"{args.file} on its own")
    text = _read(args.file).decode("utf-8", errors="replace")

    def progress(stage: str, message: str, percent=None) -> None:
        if not args.json:
            print(f"xpiler: {message}", file=sys.stderr)

    r = review_port(text, args.file, kernel=args.kernel, against=args.against, seeds=(args.seed, args.seed + 1),
                    timeout=args.timeout, progress=progress)
    if args.json:
        print(json.dumps(r.to_dict(), indent=2))
    else:
        for d in r.diagnostic_dicts():
            print(_rel(Diagnostic(**{k: v for k, v in d.items() if k != "related"}), args.file))
            if d["code"] == "port-disagreement":
                for rel in d.get("related", []):
                    print(f"  {rel['path']}:{rel['line']}: {rel['message']}")
        print("the port agrees with its original" if r.ok else "the port disagrees with its original")
    return 0 if r.ok else 1


def cmd_translate(args) -> int:
    from .driver import output_path, translate

    text = _read(args.file).decode("utf-8", errors="replace")
    src = Path(args.file)
    out = Path(args.output) if args.output else output_path(args.file, args.to, force=args.force)
    if out.resolve() == src.resolve():
        raise XpilerError(f"the output {out} is the source itself: choose another -o")
    if out.exists() and not args.force:
        raise XpilerError(f"{out} exists: give --force to overwrite it, or another -o")

    def progress(stage) -> None:
        if not args.json:
            print(f"xpiler: {stage}", file=sys.stderr)

    gens = {}
    for item in args.inputs:
        name, eq, gen = item.partition("=")
        if not eq or not name or not gen:
            raise XpilerError(f"--inputs {item!r}: expected NAME=GEN, e.g. idx=perm(64)")
        gens[name.strip()] = gen.strip()
    tr = translate(text, args.to, args.kernel, args.file, dialect=args.dialect, sequence=args.passes,
                   verify=args.verify, progress=progress, timeout=args.timeout, compile=not args.no_compile,
                   out_path=str(out), generators=gens)
    write = tr.status in ("checked", "unverified") or (tr.status == "failed" and args.keep_failed)
    if write and tr.code:
        code = tr.code
        if tr.status == "failed":
            code = f"// xpiler: THIS TRANSLATION FAILED ITS CHECKS: {tr.why}\n" + code
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(code)
        tr.path = str(out)
    if args.json:
        print(tr.to_json())
    else:
        for c in tr.checks:
            print(f"  {c.kind} ({c.tool}): {c.verdict}: {c.detail}")
        for n in tr.nests:
            what = (f"tensorized into {', '.join(n.tensorized_into)}" if n.tensorized_into else
                    "; ".join(n.not_) or "as it is")
            print(f"  loop nest at lines {n.lines[0]}-{n.lines[1]}: {what}")
        if tr.cost:
            print(f"  predicted on {tr.cost['arch']}: {tr.cost['seconds'] * 1e6:.3g} us, {tr.cost['bound']}-bound "
                  f"({tr.cost['model']}, {tr.cost['args']})")
        where = f"; wrote {tr.path}" if tr.path else ("; nothing written (--keep-failed writes it)"
                                                     if tr.status == "failed" else "")
        print(f"{args.file} -> {args.to}: {tr.status}: {tr.why}{where}")
    return 0 if tr.status == "checked" else 1

if __name__ == "__main__":
    sys.exit(main())
