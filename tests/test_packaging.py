"""A regular (non-editable) wheel carries every file the package reads at run time, and an
install of it alone emulates a corpus kernel (issue 15, item 4).

The wheel is built from a copy of the sources (the working tree stays clean), installed
with --no-deps into a fresh venv whose dependencies come from this environment through a
.pth file (no network for them), and `xpiler run` of that venv runs a C corpus kernel with
its own, empty emulation cache, so the runtime is compiled from the installed headers.
"""
from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import numpy as np
import pytest

import corpus
import reference
from xpiler.runtime import inputs

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"xpiler": ROOT / "core" / "xpiler", "xpiler_lsp": ROOT / "server" / "xpiler_lsp"}
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")


def _version(dist: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in importlib.metadata.version(dist).split(".")[:2] if p.isdigit())
    except importlib.metadata.PackageNotFoundError:
        return ()


def _pip(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    r = subprocess.run([sys.executable, "-m", "pip", *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    assert r.returncode == 0, f"pip {' '.join(args)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    for name in ("core", "server"):
        shutil.copytree(ROOT / name, src / name, ignore=SKIP)
    # The build backend from this environment when it can build wheels itself (setuptools
    # >= 70.1 has bdist_wheel; pyproject asks for >= 68); otherwise pip's isolated build env.
    isolation = ["--no-build-isolation"] if _version("setuptools") >= (70, 1) else []
    out = tmp / "dist"
    _pip("wheel", str(src), "--no-deps", *isolation, "-w", str(out), cwd=tmp)
    wheels = list(out.glob("xpiler-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def _data_files() -> list[str]:
    """Every non-Python file of the packages' source trees, as a wheel names it."""
    out = []
    for pkg, d in PACKAGES.items():
        for f in d.rglob("*"):
            if f.is_file() and f.suffix not in (".py", ".pyc") and "__pycache__" not in f.parts:
                out.append(f"{pkg}/{f.relative_to(d).as_posix()}")
    return sorted(out)


def test_the_wheel_carries_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = _data_files()
    assert "xpiler/runtime/include/xp_runtime.cpp" in data and "xpiler/dialects/preludes/cuda.h" in data
    missing = [f for f in data if f not in names]
    assert not missing, f"not in the wheel (add them to [tool.setuptools.package-data]): {missing}"


def test_an_installed_wheel_runs_a_corpus_kernel(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    _pip("--python", str(py), "install", "--no-deps", "--no-index", str(wheel), cwd=tmp_path)
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies (numpy, libclang...) from this environment, after the venv's own
    # site-packages: its .pth files (an editable xpiler) are not processed from there
    (site / "zz_xpiler_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["XPILER_CACHE_DIR"] = str(tmp_path / "cache")  # nothing prebuilt: compile from the installed headers
    where = subprocess.run([str(py), "-c", "import xpiler; print(xpiler.__file__)"], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(site), f"xpiler imported from {where.stdout.strip()}"

    entry = next(e for e in corpus.entries(("c",)) if e.family == "relu")
    out = tmp_path / "out"
    r = subprocess.run([str(env_dir / "bin" / "xpiler"), "run", str(entry.file), "--kernel", entry.kernel,
                        "--out", str(out)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, f"xpiler run failed:\n{r.stdout}\n{r.stderr}"
    values = inputs.values(entry.args, 0, entry.inputs)
    for name, v in values.items():
        if isinstance(v, np.ndarray):
            values[name] = np.load(out / f"{name}.npy")
    expected = getattr(reference, entry.family)(**{**entry.params, **values})
    for name in entry.outputs:
        np.testing.assert_allclose(values[name], np.asarray(expected[name]).reshape(values[name].shape),
                                   rtol=1e-6, atol=0)
