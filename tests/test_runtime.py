"""CPU execution: the run API, findings, the sandbox, the CLI (C and VNNI here; the GPU and
BANG runtimes are exercised over the corpus in test_run_corpus.py)."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from xpiler.cli import main
from xpiler.diagnostics import XpilerError
from xpiler.runtime import execute, run_kernel

SAXPY = """
// xpiler: args x=float32[300] y=float32[300] a=2.0 n=300
void saxpy(const float *x, float *y, float a, int n) {
    for (int i = 0; i < n; ++i)
        y[i] = a * x[i] + y[i];
}
"""


def test_run_kernel_api():
    x = np.arange(300, dtype=np.float32)
    y = np.ones(300, dtype=np.float32)
    out = run_kernel(SAXPY, "c", {"x": x, "y": y, "a": 2.0, "n": 300})
    np.testing.assert_allclose(out["y"], 2 * x + 1)
    np.testing.assert_array_equal(out["x"], x)


def test_out_of_bounds_write_is_found_at_its_line():
    src = SAXPY.replace("i < n", "i <= n")
    ex = execute(src, path="oob.c", args={"x": np.zeros(300, np.float32), "y": np.zeros(300, np.float32),
                                          "a": 1.0, "n": 300})
    kinds = {(f.kind, f.line) for f in ex.findings}
    assert ("out-of-bounds-read", 5) in kinds and ("out-of-bounds-write", 5) in kinds
    assert ex.ok  # the run itself completes: the bad accesses went to a sink


def test_read_of_never_written_heap_memory():
    src = """
    #include <stdlib.h>
    // xpiler: args out=float32[8] n=8
    void k(float *out, int n) {
        float *tmp = (float *)malloc(n * sizeof(float));
        for (int i = 0; i < n - 1; ++i) tmp[i] = i;
        for (int i = 0; i < n; ++i) out[i] = tmp[i];
        free(tmp);
    }
    """
    ex = execute(src, path="uninit.c")
    assert [(f.kind, f.line) for f in ex.findings] == [("uninitialized-read", 7)]


def test_generated_inputs_from_the_args_comment_and_written_masks():
    ex = execute(SAXPY, path="s.c")
    assert ex.ok and ex.outputs["y"].shape == (300,) and ex.written["y"].all() and not ex.written["x"].any()


def test_infinite_loop_times_out_and_caller_goes_on():
    src = "// xpiler: args x=float32[4]\nvoid spin(float *x) { volatile int k = 1; while (k) x[0] += 1; }\n"
    ex = execute(src, path="spin.c", timeout=2)
    assert ex.status == "timeout" and "timeout" in ex.message
    assert execute(SAXPY, path="s.c").ok  # and the next run is fine


def test_crash_is_reported():
    src = "// xpiler: args x=float32[4]\nvoid boom(float *x) { float *p = (float *)0; x[0] = p[3]; }\n"
    ex = execute(src, path="boom.c", timeout=20)
    assert ex.status == "crash" and "segmentation fault" in ex.message
    assert [(f.kind, f.line) for f in ex.findings] == [("out-of-bounds-read", 2)]  # the fault, at its line


def test_wrapped_unsigned_index_is_a_finding_at_its_line():
    """s[threadIdx.x - 1] wraps to 2^32 - 1 for thread 0: far outside every buffer, it faults;
    the fault is still a finding at its line, by the thread that did it."""
    src = """// xpiler: launch grid=1 block=32
// xpiler: args x=float32[32] y=float32[32]
__global__ void k(const float *x, float *y) {
    __shared__ float s[32];
    s[threadIdx.x] = x[threadIdx.x];
    __syncthreads();
    y[threadIdx.x] = s[threadIdx.x - 1];
}
"""
    ex = execute(src, path="wrap.cu")
    assert ex.status == "crash"
    assert [(f.kind, f.line, f.who) for f in ex.findings] == [("out-of-bounds-read", 7, "thread (0,0,0) of block (0,0,0)")]


def test_stack_overflow_is_a_finding():
    src = """__device__ float f(int n) { volatile float big[64]; big[0] = n; return n == 0 ? 0.0f : f(n + 1) + big[0]; }
// xpiler: launch grid=1 block=2
// xpiler: args y=float32[2]
__global__ void k(float *y) { y[threadIdx.x] = f(1); }
"""
    ex = execute(src, path="deep.cu")
    assert ex.status == "crash"
    assert [f.kind for f in ex.findings] == ["out-of-memory"] and "stack overflow" in ex.findings[0].message


def test_overrun_names_the_buffer_it_ran_past():
    src = """// xpiler: launch dim=4 type=union1
// xpiler: args x=float32[64] y=float32[64]
__mlu_global__ void k(float *x, float *y) {
  __nram__ float buf[16];
  __memcpy(buf, x + taskId * 16, 17 * sizeof(float), GDRAM2NRAM);
  __memcpy(y + taskId * 16, buf, 16 * sizeof(float), NRAM2GDRAM);
}
"""
    ex = execute(src, path="over.mlu")
    msgs = {f.kind: f.message for f in ex.findings}
    assert "at byte 64 of 'buf' (64 bytes, nram), past its end" in msgs["out-of-bounds-write"]
    assert "at byte 256 of 'x' (256 bytes, gdram), past its end" in msgs["out-of-bounds-read"]


def test_unresolved_arguments_name_the_comment():
    with pytest.raises(XpilerError) as e:
        execute("void k(float *x, int n) { for (int i = 0; i < n; ++i) x[i] = 0; }", path="k.c")
    assert "// xpiler: args" in str(e.value) and "n=VALUE" in str(e.value)


def test_probe_infers_buffer_sizes():
    src = "void k(float *x, int n) { for (int i = 0; i < n; ++i) x[i] = 2 * x[i]; }"
    ex = execute(src, path="k.c", args={"n": 37})
    assert ex.outputs["x"].shape == (37,) and any("largest index" in e for e in ex.evidence)


def test_kernel_named_like_a_libc_function_runs():
    src = "#include <math.h>\n// xpiler: args x=float32[16] out=float32[16] n=16\n" \
          "void sin(const float *x, float *out, int n) { for (int i = 0; i < n; ++i) out[i] = sinf(x[i]); }\n"
    ex = execute(src, path="sin.c")
    assert ex.ok and np.allclose(ex.outputs["out"], np.sin(ex.outputs["x"]), atol=1e-6)


def test_vnni_kernel_runs_on_any_x86():
    src = """
    #include <immintrin.h>
    // xpiler: args a=uint8[64] b=int8[64] c=int32[16]
    extern "C" void dot(const unsigned char *a, const signed char *b, int *c) {
        __m512i acc = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_loadu_si512(a), _mm512_loadu_si512(b));
        _mm512_storeu_si512(c, acc);
    }
    """
    ex = execute(src, path="dot.cpp")
    a, b = ex.outputs["a"].astype(np.int64), ex.outputs["b"].astype(np.int64)
    np.testing.assert_array_equal(ex.outputs["c"], (a * b).reshape(16, 4).sum(1))


def test_cli_run_writes_npy(tmp_path, capsys):
    src = tmp_path / "saxpy.c"
    src.write_text(SAXPY)
    x = np.arange(300, dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    rc = main(["run", str(src), "--arg", f"x={tmp_path / 'x.npy'}", "--arg", "y=float32[300]", "--arg", "a=3",
               "--arg", "n=300", "--out", str(tmp_path / "out")])
    assert rc == 0
    y = np.load(tmp_path / "out" / "y.npy")
    assert y.shape == (300,) and np.load(tmp_path / "out" / "x.npy").tolist() == x.tolist()


def test_cli_check_exit_status(tmp_path, capsys):
    good, bad = tmp_path / "good.c", tmp_path / "bad.c"
    good.write_text(SAXPY)
    bad.write_text(SAXPY.replace("i < n", "i <= n"))
    assert main(["check", str(good)]) == 0
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "bad.c:5:1: error:" in out and "out-of-bounds" in out


BF16_ROUND_TRIP = {
    "cuda": """#include <cuda_bf16.h>
// xpiler: launch grid=2 block=32
__global__ void rt(const float *x, float *y) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  y[i] = __bfloat162float(__float2bfloat16(x[i]));
}
""",
    "bang": """__mlu_global__ void rt(float *x, float *y) {
  for (int i = 0; i < 64; i++) { bfloat16_t h = (bfloat16_t)x[i]; y[i] = (float)h; }
}
""",
}


@pytest.mark.parametrize("dialect", sorted(BF16_ROUND_TRIP))
def test_bfloat16_rounds_to_nearest_even(dialect):
    """The GPU and BANG bf16 types share one conversion (xp_runtime.hpp): float -> bf16 rounds
    to nearest even, ties included, and converts back exactly."""
    x = np.array([1.0, 1.0 + 2**-8, 1.0 + 3 * 2**-8, -2.5, 3.0e38, 1e-40] * 10 + [0, 0, 0, 0], np.float32)
    u = x.view(np.uint32)
    want = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16 << 16).astype(np.uint32).view(np.float32)
    args = {"x": x, "y": np.zeros(64, np.float32)}
    launch = "dim=1 type=block" if dialect == "bang" else None
    out = run_kernel(BF16_ROUND_TRIP[dialect], dialect, args, launch=launch)
    np.testing.assert_array_equal(out["y"], want)


def test_launch_above_launch_bounds_fails():
    """A block larger than the kernel's __launch_bounds__ is a failed launch (gpu.md §8)."""
    src = """#define THREADS 128
// xpiler: args y=float32[1024]
__global__ void __launch_bounds__(THREADS * 2) k(float *y) { y[blockIdx.x * blockDim.x + threadIdx.x] = 1.0f; }
"""
    bad = execute(src, path="lb.cu", launch="grid=2 block=512")
    assert [(f.kind, "__launch_bounds__(256)" in f.message) for f in bad.findings] == [("launch-config", True)]
    assert not bad.written["y"].any()
    assert bad.status == "launch-failed" and not bad.ok and "did not run" in bad.message
    assert bad.findings[0].line == 3  # the kernel's line: a refused launch has no statement
    good = execute(src, path="lb.cu", launch="grid=4 block=256")
    assert good.findings == [] and good.written["y"].all()


# ------------------------------------------------------------------ g++ errors and the cache (issue 15)

WAVE_SUM = """#include <hip/hip_runtime.h>

// xpiler: launch grid=1 block=64
// xpiler: args x=float32[64] out=float32[64]
__global__ void wave_sum(const float *x, float *out) {
    float v = x[threadIdx.x];
    for (int off = 32; off > 0; off /= 2)
        v += __shfl_down_sync(MASK, v, off);
    out[threadIdx.x] = v;
}
"""


def _hip_mask_assertion() -> str:
    """The message of the runtime's static_assert on a HIP *_sync mask (as HIP's headers have)."""
    import xpiler.runtime.build as build

    text = (Path(build.INCLUDE) / "xp_gpu.hpp").read_text()
    m = re.search(r'#define XP_MASK64\(M\) static_assert\([^,]+, "([^"]+)"\)', text)
    assert m, "xp_gpu.hpp no longer static_asserts HIP's 64-bit masks"
    return m.group(1)


def test_an_error_in_the_runtime_headers_is_reported_at_the_users_line():
    src = WAVE_SUM.replace("MASK", "0xffffffffu")  # a 32-bit mask: HIP's *_sync take 64 bits
    line = next(i for i, ln in enumerate(src.splitlines(), 1) if "__shfl_down_sync" in ln)
    with pytest.raises(XpilerError) as e:
        execute(src, path="wave_sum.hip")
    msg = str(e.value)
    assert _hip_mask_assertion() in msg and f"wave_sum.hip:{line}:" in msg and "__shfl_down_sync" in msg, msg
    assert "^~~" not in msg, msg
    at = [(Path(d.file).name, d.line, d.severity) for d in e.value.diagnostics]
    assert ("wave_sum.hip", line, "error") in at, at


def test_a_64_bit_mask_compiles_and_runs():
    ex = execute(WAVE_SUM.replace("MASK", "0xffffffffffffffffull"), path="wave_sum64.hip")
    assert ex.ok and not ex.findings, (ex.message, ex.findings)
    np.testing.assert_allclose(ex.outputs["out"][0], ex.outputs["x"].sum(), rtol=1e-5)


def test_editing_an_included_local_header_rebuilds(tmp_path):
    (tmp_path / "myscale.h").write_text("#define SCALE 2.0f\n")
    (tmp_path / "myhelpers.h").write_text('#include "myscale.h"\n'
                                          "static inline float scaled(float v) { return v * SCALE; }\n")
    kernel = tmp_path / "scale.c"
    kernel.write_text('#include "myhelpers.h"\n\n'
                      "// xpiler: args x=float32[8] y=float32[8] n=8\n"
                      "void scale(const float *x, float *y, int n) {\n"
                      "    for (int i = 0; i < n; ++i)\n"
                      "        y[i] = scaled(x[i]);\n"
                      "}\n")
    x = np.arange(8, dtype=np.float32)

    def run() -> np.ndarray:
        ex = execute(kernel.read_text(), path=str(kernel), args={"x": x, "y": np.zeros(8, np.float32), "n": 8})
        assert ex.ok, ex.message
        return ex.outputs["y"]

    np.testing.assert_array_equal(run(), 2 * x)
    (tmp_path / "myscale.h").write_text("#define SCALE 3.0f\n")  # a header the header includes
    np.testing.assert_array_equal(run(), 3 * x)


def test_checked_vnni_runs_take_the_table_semantics_on_every_cpu():
    """Native AVX-512 loads and stores bypass the written marks and bounds checks, so a
    checked run must not use them (it did on AVX-512 machines: every VNNI store looked
    unwritten to the oracle); unchecked runs stay native where the CPU has the intrinsics."""
    import numpy as np

    from xpiler.runtime import build, cpu
    from xpiler.runtime.run import execute

    assert not build.native_vnni("vnni", checks=True)
    assert build.native_vnni("vnni", checks=False) == cpu.has_avx512_vnni()
    assert "-DXP_NATIVE_AVX512=0" in build.dialect_defines("vnni", checks=True)
    src = Path("tests/kernels/relu/relu_vnni.cpp").read_text()
    x = np.random.default_rng(0).uniform(-1, 1, 100).astype(np.float32)
    runs = [execute(src, path="relu_vnni.cpp", kernel="relu_f32", args={"x": x, "out": np.zeros(100, np.float32),
                                                                         "n": 100}, checks=c) for c in (True, False)]
    for ex in runs:
        assert ex.ok and np.array_equal(ex.outputs["out"], np.maximum(x, 0))
    assert runs[0].written["out"].all()  # every vector store marked written


_DEFAULT_ARG_HEAD = """
// xpiler: launch grid=1 block=64
// xpiler: args y=float32[64] n=64
"""
_DEFAULT_ARG_KERNEL = """
__global__ void k(float *y, int n) {
    int i = threadIdx.x;
    if (i < n) y[i] = f(y[i]) + f(1.0f, 3);
}
"""
_DEFAULT_ARG_SOURCES = {
    # defined before use, with its default
    "definition": _DEFAULT_ARG_HEAD + "__device__ float f(float x, int k = 2) { return x * k; }" + _DEFAULT_ARG_KERNEL,
    # the default on the forward declaration only, as C++ requires
    "forward": _DEFAULT_ARG_HEAD + "__device__ float f(float x, int k = 2);" + _DEFAULT_ARG_KERNEL
    + "__device__ float f(float x, int k) { return x * k; }\n",
}


@pytest.mark.parametrize("form", sorted(_DEFAULT_ARG_SOURCES))
def test_default_arguments_of_device_functions_run(form):
    y = np.arange(64, dtype=np.float32)
    ex = execute(_DEFAULT_ARG_SOURCES[form], path="dflt.cu", args={"y": y, "n": 64})
    assert ex.ok, ex.message
    np.testing.assert_array_equal(ex.outputs["y"], 2 * y + 3)


def test_a_default_repeated_on_a_later_declaration_is_printed_once():
    """IR made by a pass may carry the default on every declaration: the emulation prints it
    on the first only (g++ rejects a redefined default argument)."""
    import xpiler
    from xpiler import ir

    m = xpiler.parse(_DEFAULT_ARG_SOURCES["forward"], path="dflt.cu")
    m.functions[-1].params[1].default = ir.IntLit(2)
    y = np.arange(64, dtype=np.float32)
    ex = execute(m, args={"y": y, "n": 64})
    assert ex.ok, ex.message
    np.testing.assert_array_equal(ex.outputs["y"], 2 * y + 3)


def test_a_renamed_function_called_with_its_defaults_left_out_is_the_users():
    src = """
    // xpiler: launch grid=1 block=32
    // xpiler: args y=float32[32]
    __device__ void fill(float *p, int i, float v = 3.0f) { p[i] = v; }
    __global__ void k(float *y) { fill(y, threadIdx.x); }
    """
    ex = execute(src, path="fill.cu", args={"y": np.zeros(32, np.float32)})
    assert ex.ok, ex.message
    np.testing.assert_array_equal(ex.outputs["y"], np.full(32, 3.0, np.float32))


_SYMBOL_HOST = """#include <{header}>
__device__ float acc[4];

__global__ void fill(float v) {{
    extern __shared__ float tile[];
    tile[threadIdx.x] = v * threadIdx.x;
    __syncthreads();
    if (threadIdx.x < 4) acc[threadIdx.x] = tile[threadIdx.x + 4];
}}

// xpiler: args out=float32[4]
void run(float *out) {{
    {p}FuncSetAttribute(reinterpret_cast<const void *>(fill), {p}FuncAttributeMaxDynamicSharedMemorySize, 8 * sizeof(float));
    {launch};
    {p}DeviceSynchronize();
    {p}MemcpyFromSymbol(out, {symbol}, 4 * sizeof(float), 0, {p}MemcpyDeviceToHost);
}}
"""
_SYMBOL_SOURCES = {
    "hip": _SYMBOL_HOST.format(header="hip/hip_runtime.h", p="hip", symbol="HIP_SYMBOL(acc)",
                               launch="hipLaunchKernelGGL(fill, dim3(1), dim3(8), 8 * sizeof(float), 0, 2.0f)"),
    "cuda": _SYMBOL_HOST.format(header="cuda_runtime.h", p="cuda", symbol="acc",
                                launch="fill<<<1, 8, 8 * sizeof(float)>>>(2.0f)"),
}


@pytest.mark.parametrize("dialect", sorted(_SYMBOL_SOURCES))
def test_symbol_copies_and_function_attributes_in_host_code(dialect):
    """hipMemcpyFromSymbol, hipFuncSetAttribute and hipFuncAttributeMaxDynamicSharedMemorySize
    are declared for the parser as the runtime defines them (and CUDA's the same way)."""
    import xpiler

    src = _SYMBOL_SOURCES[dialect]
    path = "sym.hip" if dialect == "hip" else "sym.cu"
    m = xpiler.parse(src, path=path)
    assert m.dialect == dialect
    assert not [d for d in m.diagnostics if d.severity in ("error", "warning")], m.diagnostics
    ex = execute(src, path=path, kernel="run")
    assert ex.ok, ex.message
    np.testing.assert_array_equal(ex.outputs["out"], 2.0 * np.arange(4, 8, dtype=np.float32))


def test_sincosf_in_a_kernel_does_not_recurse():
    """The generated sincosf is sinf + cosf; g++ fused those into a call of sincosf (glibc
    declares it extern "C"), the generated function itself: a stack overflow."""
    import numpy as np

    from xpiler.runtime.run import execute

    src = """\
// xpiler: launch grid=1,1,1 block=32,1,1
// xpiler: args x=float32[32] s=float32[32] c=float32[32]
__global__ void k(const float *x, float *s, float *c) {
    float a, b;
    sincosf(x[threadIdx.x], &a, &b);
    s[threadIdx.x] = a;
    c[threadIdx.x] = b;
}
"""
    x = np.linspace(-3, 3, 32).astype(np.float32)
    ex = execute(src, path="k.cu", args={"x": x, "s": np.zeros(32, np.float32), "c": np.zeros(32, np.float32)})
    assert ex.ok, ex.message
    assert np.allclose(ex.outputs["s"], np.sin(x), atol=1e-6) and np.allclose(ex.outputs["c"], np.cos(x), atol=1e-6)


def test_c_bool_runs_in_the_emulation():
    """C's bool is a macro for _Bool, expanded in bodies; the emulation (g++) spells it bool."""
    import numpy as np

    from xpiler.runtime.run import execute

    src = "// xpiler: args x=int32[4]\nvoid k(int *x) { bool b = x[0] > 0; x[1] = b; }\n"
    x = np.array([5, 0, 0, 0], np.int32)
    ex = execute(src, path="k.c", args={"x": x})
    assert ex.ok, ex.message
    assert ex.outputs["x"][1] == 1


# ------------------------------------------------------------------ shared memory: whole objects, byte-exact races

def _kinds(ex) -> list[tuple[str, int]]:
    return sorted((f.kind, f.line) for f in ex.findings)


SHARED_STRUCT_COPY = """struct V { float a[4]; };
// xpiler: launch grid=1 block=2
// xpiler: args out=float32[4]
__global__ void k(float *out) {
    __shared__ V r; __shared__ V acc;
    if (threadIdx.x == 0) {
        for (int i = 0; i < 4; ++i) ((float *)&r)[i] = i;
        acc = r;
        for (int i = 0; i < 4; ++i) out[i] = ((float *)&acc)[i];
    }
}
"""

# a GCC vector, a lane struct (retarget's form of one) and a struct of members, in shared
# memory: written lane by lane / member by member (two threads, two members of one
# element: no race), then copied as wholes and read back lane by lane
SHARED_WHOLE_OBJECTS = """typedef float v16 __attribute__((__vector_size__(64)));
typedef struct { float xp_lane[16]; } L;
struct P { float x; float y; };
// xpiler: launch grid=1 block=16
// xpiler: args out=float32[64]
__global__ void k(float *out) {
    __shared__ v16 sv; __shared__ v16 sv2;
    __shared__ L sl; __shared__ L sl2;
    __shared__ P pts[2]; __shared__ P q;
    sv[threadIdx.x] = threadIdx.x;
    sl.xp_lane[threadIdx.x] = 2 * threadIdx.x;
    if (threadIdx.x == 0) pts[0].x = 1.0f;
    if (threadIdx.x == 1) pts[0].y = 2.0f;
    if (threadIdx.x == 2) q.x = 3.0f;
    __syncthreads();
    if (threadIdx.x == 0) {
        sv2 = sv;
        sl2 = sl;
        pts[1] = pts[0];
    }
    __syncthreads();
    out[threadIdx.x] = sv2[threadIdx.x];
    out[16 + threadIdx.x] = sl2.xp_lane[threadIdx.x];
    out[32 + threadIdx.x] = pts[1].x + pts[1].y + q.x;
    out[48 + threadIdx.x] = ((float *)&sv2)[threadIdx.x] + ((float *)&sl2)[threadIdx.x];
}
"""

SHARED_WHOLE_OBJECT_BUGS = """typedef float v16 __attribute__((__vector_size__(64)));
struct P { float x; float y; };
// xpiler: launch grid=1 block=16
// xpiler: args out=float32[16]
__global__ void k(float *out) {
    __shared__ v16 sv; __shared__ v16 sv2;
    __shared__ P p; __shared__ P p2; __shared__ P p3;
    if (threadIdx.x < 15) sv[threadIdx.x] = threadIdx.x;
    if (threadIdx.x == 0) p.x = 1.0f;
    __syncthreads();
    if (threadIdx.x == 0) sv2 = sv;
    if (threadIdx.x == 0) p2 = p;
    if (threadIdx.x < 2) p3 = p2;
    __syncthreads();
    out[threadIdx.x] = sv2[threadIdx.x] + p3.x;
}
"""


def test_a_struct_assigned_whole_in_shared_memory_is_written():
    """``acc = r`` of __shared__ structs writes all of acc (it was not recorded, so reading
    acc back through a pointer was a never-written read)."""
    ex = execute(SHARED_STRUCT_COPY, path="copy.cu")
    assert ex.ok and not ex.findings, ex.findings
    np.testing.assert_array_equal(ex.outputs["out"], [0, 1, 2, 3])


def test_vectors_lane_structs_and_members_in_shared_memory():
    ex = execute(SHARED_WHOLE_OBJECTS, path="whole.cu")
    assert ex.ok and not ex.findings, ex.findings
    t = np.arange(16, dtype=np.float32)
    np.testing.assert_array_equal(ex.outputs["out"], np.concatenate([t, 2 * t, np.full(16, 6.0), 3 * t]))


def test_whole_object_accesses_are_checked():
    """A whole-object copy reads and writes every byte: a lane or member never written is an
    uninitialised read where the copy reads it, and two threads copying into one struct
    (after one of them wrote its source) race."""
    ex = execute(SHARED_WHOLE_OBJECT_BUGS, path="whole_bugs.cu")
    assert ex.ok, ex.message
    assert _kinds(ex) == [("race", 13), ("uninitialized-read", 11), ("uninitialized-read", 12)], ex.findings
    msgs = {f.line: f.message for f in ex.findings}
    assert "'sv' at byte 60" in msgs[11] and "'p' at byte 4" in msgs[12], msgs


HALF_IN_PLACE = """{include}
// xpiler: launch grid=1 block=64
// xpiler: args x=float16[64] out=float16[64]
__global__ void k(const __half *x, __half *out) {{
    __shared__ __half s[64];
    s[threadIdx.x] = x[threadIdx.x];
    __syncthreads();
    s[threadIdx.x] = (__half)((float)s[threadIdx.x] * 2.0f);
    __syncthreads();
    out[threadIdx.x] = s[{other}];
}}
"""
INT8_IN_PLACE = """// xpiler: launch grid=1 block=64
// xpiler: args x=int8[64] out=int8[64]
__global__ void k(const signed char *x, signed char *out) {
    __shared__ signed char s[64];
    s[threadIdx.x] = x[threadIdx.x];
    __syncthreads();
    s[threadIdx.x] = (signed char)(s[threadIdx.x] / 2);
    __syncthreads();
    out[threadIdx.x] = s[threadIdx.x ^ 1];
}
"""


@pytest.mark.parametrize("path,src", [
    ("half.cu", HALF_IN_PLACE.format(include="#include <cuda_fp16.h>", other="threadIdx.x")),
    ("half.hip", HALF_IN_PLACE.format(include="#include <hip/hip_runtime.h>\n#include <hip/hip_fp16.h>",
                                      other="threadIdx.x")),
    ("int8.cu", INT8_IN_PLACE),
])
def test_threads_updating_neighbouring_narrow_elements_do_not_race(path, src):
    """Races are byte-exact: threads reading and writing their own 2-byte or 1-byte element
    of one 4-byte word in the same barrier interval do not race."""
    ex = execute(src, path=path)
    assert ex.ok and not ex.findings, ex.findings


def test_races_on_narrow_elements_are_still_found():
    # a neighbour's half read in the interval its owner writes it
    src = HALF_IN_PLACE.format(include="#include <cuda_fp16.h>", other="threadIdx.x").replace(
        "    __syncthreads();\n    s[threadIdx.x] = (__half)((float)s[threadIdx.x]",
        "    s[threadIdx.x] = (__half)((float)s[threadIdx.x ^ 1]")
    ex = execute(src, path="half_race.cu")
    assert ("race", 7) in _kinds(ex), ex.findings
    # two threads write bytes 0 and 1 of one word; a third reads byte 0: the race with the
    # first writer is not lost when the second writes its neighbouring byte
    src = """// xpiler: launch grid=1 block=3
// xpiler: args out=int8[4]
__global__ void k(signed char *out) {
    __shared__ signed char s[4];
    if (threadIdx.x < 2) s[threadIdx.x] = (signed char)threadIdx.x;
    if (threadIdx.x == 2) out[0] = s[0];
}
"""
    ex = execute(src, path="int8_race.cu")
    races = [f for f in ex.findings if f.kind == "race"]
    assert [f.line for f in races] == [6] and "'s' at byte 0" in races[0].message and "thread 0" in races[0].message


SRAM_HALF = """#include <bang.h>
__mlu_shared__ half buf[64];
// xpiler: launch dim=4,1,1 type=union1
// xpiler: args x=float16[4] out=float16[4]
__mlu_global__ void k(const half *x, half *out) {
  if (!__is_mpu()) buf[coreId] = x[coreId];
  __sync_cluster();
  if (!__is_mpu()) buf[coreId] = buf[OTHER] * (half)2.0f;
  __sync_cluster();
  if (!__is_mpu()) out[coreId] = buf[coreId];
}
"""


def test_bang_cores_updating_neighbouring_halves_of_sram():
    """The cores of a cluster share the race check: each updating its own half of SRAM is no
    race, reading a neighbour's while it writes it is."""
    ex = execute(SRAM_HALF.replace("OTHER", "coreId"), path="sram_half.mlu")
    assert ex.ok and not ex.findings, ex.findings
    np.testing.assert_array_equal(ex.outputs["out"], 2 * ex.outputs["x"])
    ex = execute(SRAM_HALF.replace("OTHER", "coreId ^ 1"), path="sram_half_race.mlu")
    assert ("race", 8) in _kinds(ex), ex.findings


SHARED_BY_REFERENCE = """struct P { float x; float y; };
__device__ void init(P &p, float v) { p.x = v; INIT_Y }
__device__ void set(float &f, float v) { f = v; }
__device__ float sum(P p) { return p.x + p.y; }
// xpiler: launch grid=1 block=2
// xpiler: args out=float32[4]
__global__ void k(float *out) {
    __shared__ P a; __shared__ P b; __shared__ float s; __shared__ float arr[4];
    if (threadIdx.x == WHO) {
        init(a, 1.0f);
        set(s, 2.0f);
        float &r = arr[1];
        r = 3.0f;
    }
    __syncthreads();
    if (threadIdx.x == 0) {
        b = a;
        out[0] = sum(b) + s + arr[1];
    }
}
"""


def test_shared_memory_through_references():
    """A reference (parameter or local) is the memory it is bound to: writes through it are
    checked writes, binding it is no access, so a struct a device function fills through a
    reference copies cleanly, and a member it leaves out is found where it is read."""
    ex = execute(SHARED_BY_REFERENCE.replace("INIT_Y", "p.y = v;").replace("WHO", "0"), path="ref.cu")
    assert ex.ok and not ex.findings, ex.findings
    assert ex.outputs["out"][0] == 7.0
    ex = execute(SHARED_BY_REFERENCE.replace("INIT_Y", "").replace("WHO", "0"), path="ref_uninit.cu")
    assert _kinds(ex) == [("uninitialized-read", 17)], ex.findings
    # both threads write s (and a, arr[1]) through references in one barrier interval
    ex = execute(SHARED_BY_REFERENCE.replace("INIT_Y", "p.y = v;").replace("WHO", "threadIdx.x"), path="ref_race.cu")
    assert {("race", 2), ("race", 3), ("race", 13)} <= set(_kinds(ex)), ex.findings
