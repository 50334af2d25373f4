"""Dialect tables: present, consistent, and their generated preludes parse cleanly."""
from __future__ import annotations

import pytest

import xpiler
from xpiler import dialects
from xpiler.dialects import base, prelude


@pytest.mark.parametrize("name", dialects.NAMES)
def test_tables_load_and_are_not_empty(name):
    d = dialects.get(name)
    for mod in d.intrinsic_modules:
        dialects._load(mod)  # a missing table module is an error, not an empty table
    assert len(d.intrinsics) > 100
    for it in d.intrinsics.values():
        assert it.overloads and it.doc, it.name


@pytest.mark.parametrize("name", dialects.NAMES)
def test_empty_file_parses_without_diagnostics(name):
    m = xpiler.parse("", path="empty" + dialects.get(name).suffix, dialect=name)
    assert m.diagnostics == []


@pytest.mark.parametrize("name,language", [("cuda", "cuda"), ("hip", "cuda"), ("bang", "cuda"),
                                           ("vnni", "c++"), ("vnni", "c"), ("c", "c"), ("c", "c++")])
def test_prelude_is_generated_from_the_tables(name, language):
    text = prelude.prelude(name, language)
    d = dialects.get(name)
    own = d.tables[-1]
    sample = next(it for it in own.values() if not it.qualified and it.name not in prelude._CLANG_CUDA_BUILTINS)
    assert base.overload_declarations(sample.name, sample.overloads[0], defaults=language != "c")[0] in text


def test_dialect_specific_entries_win():
    assert dialects.get("bang").intrinsic("sqrtf").source != dialects.get("c").intrinsic("sqrtf").source
    assert dialects.get("hip").intrinsic("__shfl_down").name == "__shfl_down"
    assert dialects.get("cuda").intrinsic("nvcuda::wmma::mma_sync") is not None


def test_builtin_variables_and_spaces():
    assert dialects.get("cuda").builtin_vars["threadIdx"].parallel
    assert dialects.get("bang").spaces["nram"].capacity["mtp_372"] == 768 * 1024
    assert "shared" in dialects.get("hip").spaces


def test_kernel_clashing_with_a_prelude_name_is_not_declared_twice():
    skip = prelude.source_definitions("void sin(const float *x) { }\nint main() { return 0; }")
    assert "sin" in skip and "if" not in skip


def test_detection_ignores_comments():
    """A translated .cu file whose comment mentions hipLaunchKernelGGL was taken for HIP."""
    from xpiler import dialects

    text = "// ported from a hipLaunchKernelGGL call\n__global__ void k(float *x) { x[0] = 1; }\n"
    assert dialects.detect("k.cu", text) == "cuda"
    assert dialects.detect("k.cu", "/* __nram__ */ __global__ void k() {}") == "cuda"
    assert dialects.detect("k.cu", "__global__ void k() { hipLaunchKernelGGL(k, 1, 1, 0, 0); }") == "hip"
