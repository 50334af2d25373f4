"""GPU lifting beyond threads: per-thread intrinsics, HIP vector operators, half types,
foreign runtime macros; each through the oracle on a pass's input and output."""
import pytest

from xpiler import oracle, parse, passes, print_module, translate

PER_THREAD = r"""
// xpiler: launch grid=2 block=64
// xpiler: args x=float32[128] y=float32[128] h=int32[8] n=128
__global__ void k(const float *x, float *y, int *h, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        y[i] = __expf(__ldg(x + i)) * rsqrtf(fabsf(x[i]) + 1.0f) + (float)__popc(i) + (float)__float2int_rn(x[i]);
        atomicAdd(&h[i % 8], 1);
    }
}
"""


def test_per_thread_intrinsics_are_detensorized_before_loop_recovery():
    m = parse(PER_THREAD, path="k.cu")
    r = passes.get("detensorize").apply(m, "c")
    assert not r.refused, r.refused
    out = print_module(r.module)
    for name in ("__expf", "__ldg", "rsqrtf", "__popc", "__float2int_rn", "atomicAdd"):
        assert name + "(" not in out, name
    assert "threadIdx.x" in out and r.module.dialect == "cuda"  # still parallel: loop_recovery's to lift
    report = oracle.check(PER_THREAD, out, path="k.cu", candidate_path="k_det.cu")
    assert report.ok, report.message


def test_barriers_and_collectives_stay_for_loop_recovery():
    src = PER_THREAD.replace("atomicAdd(&h[i % 8], 1);",
                             "__syncwarp(); y[i] += __shfl_xor_sync(0xffffffff, y[i], 1);")
    r = passes.get("detensorize").apply(parse(src, path="k.cu"), "c")
    out = print_module(r.module)
    assert "__syncwarp()" in out and "__shfl_xor_sync(" in out


HIP_VEC = r"""
#include <hip/hip_runtime.h>
// xpiler: launch grid=2 block=32
// xpiler: args x=float32[256] y=float32[256] o=float32[256] s=1.5
__global__ void v(const float *x, const float *y, float *o, float s) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    const float4 *x4 = (const float4 *)x;
    const float4 *y4 = (const float4 *)y;
    float4 *o4 = (float4 *)o;
    float4 a = x4[i] + y4[i] * s;
    a -= -x4[i];
    o4[i] = a;
}
"""


def test_vector_arith_writes_hip_vector_operators_per_component():
    m = parse(HIP_VEC, path="v.hip")
    r = passes.get("vector_arith").apply(m, "c")
    assert not r.refused, r.refused
    out = print_module(r.module)
    assert "make_float4(" in out and "a.w -= " in out
    report = oracle.check(HIP_VEC, out, path="v.hip", candidate_path="v_comp.hip")
    assert report.ok, report.message


def test_vector_arith_refuses_operands_with_side_effects():
    src = HIP_VEC.replace("float4 a = x4[i] + y4[i] * s;", "int j = i; float4 a = x4[j++] + y4[i];")
    r = passes.get("vector_arith").apply(parse(src, path="v.hip"), "c")
    assert r.refused and r.refused.precondition == "pure-operands"


HALF = r"""
#include <cuda_fp16.h>
// xpiler: launch grid=2 block=64
// xpiler: args x=float16[100] y=float16[100] n=100
__global__ void hk(const __half *x, __half *y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = __float2half(__half2float(x[i]) * 2.0f + 1.0f);
}
"""


@pytest.mark.parametrize("to, spelled", [("c", "_Float16"), ("bang", "half"), ("vnni", "_Float16")])
def test_half_takes_the_targets_spelling(to, spelled):
    t = translate(HALF, to, path="hk.cu")
    assert t.status == "checked", t.why
    assert "__half" not in t.code and spelled in t.code


def test_a_macro_calling_the_source_runtime_goes():
    src = r"""
#include <hip/hip_runtime.h>
#include <cstdio>
#define CHECK(e) do { hipError_t r_ = (e); if (r_ != hipSuccess) printf("%s\n", hipGetErrorString(r_)); } while (0)
#define WIDTH 64
// xpiler: launch grid=2 block=64
// xpiler: args x=float32[128]
__global__ void twice(float *x) { int i = blockIdx.x * WIDTH + threadIdx.x; x[i] *= 2.0f; }
extern "C" void run(float *x) {
    float *d; CHECK(hipMalloc((void **)&d, 512)); CHECK(hipMemcpy(d, x, 512, hipMemcpyHostToDevice));
    hipLaunchKernelGGL(twice, dim3(2), dim3(64), 0, 0, d);
    CHECK(hipMemcpy(x, d, 512, hipMemcpyDeviceToHost)); CHECK(hipFree(d));
}
"""
    t = translate(src, "c", path="twice.hip")
    assert t.status == "checked", t.why
    assert "hipGetErrorString" not in t.code and "#define CHECK" not in t.code
    assert "#define WIDTH 64" in t.code


MFMA = r"""
#include <hip/hip_runtime.h>
typedef float floatx4 __attribute__((ext_vector_type(4)));
// xpiler: launch grid=2,1,1 block=64,1,1
// xpiler: args a=float32[2,16,4] b=float32[4,16] c=float32[2,16,16]
__global__ void mm(const float *a, const float *b, float *c) {
    const int lane = threadIdx.x, li = lane % 16, lq = lane / 16;
    floatx4 acc = {0.0f, 0.0f, 0.0f, 0.0f};
    acc = __builtin_amdgcn_mfma_f32_16x16x4f32(a[blockIdx.x * 64 + li * 4 + lq], b[lq * 16 + li], acc, 0, 0, 0);
    for (int r = 0; r < 4; ++r)
        c[blockIdx.x * 256 + (4 * lq + r) * 16 + li] = acc[r];
}
"""


@pytest.mark.parametrize("to", ["c", "vnni"])
def test_mfma_is_lifted_through_its_tile_semantics(to):
    t = translate(MFMA, to, path="mm.hip")
    assert t.status == "checked", t.why
    assert "__builtin_amdgcn" not in t.code and "ext_vector_type" not in t.code


def test_clang_vector_typedefs_become_gccs_and_members_subscripts():
    src = MFMA.replace("c[blockIdx.x * 256 + (4 * lq + r) * 16 + li] = acc[r];",
                       "c[blockIdx.x * 256 + (4 * lq + r) * 16 + li] = acc[r] + acc.y;")
    r = passes.get("vector_arith").apply(parse(src, path="mm.hip"), "c")
    out = print_module(r.module)
    assert "__vector_size__(16)" in out and "ext_vector_type" not in out and "acc[1]" in out


def test_a_kernel_named_like_a_libm_function_translates_to_c():
    src = r"""
// xpiler: launch grid=2 block=64
// xpiler: args x=float32[100] y=float32[100] n=100
__global__ void exp(const float *x, float *y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = expf(x[i]) + (x[i] > 0.0f ? 0.0f : -INFINITY);
}
"""
    t = translate(src, "c", path="exp.cu")
    assert t.status == "checked", t.why
    assert "#include <math.h>" not in t.code and "float expf(float);" in t.code


def test_host_device_queries_are_carried():
    src = r"""
#include <hip/hip_runtime.h>
// xpiler: launch grid=2 block=64
// xpiler: args x=float32[128]
__global__ void twice(float *x) { int i = blockIdx.x * 64 + threadIdx.x; x[i] *= 2.0f; }
extern "C" void run(float *x) {
    float *d; hipMalloc((void **)&d, 512); hipMemcpy(d, x, 512, hipMemcpyHostToDevice);
    int dev = 0, wave = 0;
    hipGetDevice(&dev);
    hipDeviceGetAttribute(&wave, hipDeviceAttributeWarpSize, dev);
    hipLaunchKernelGGL(twice, dim3(128 / wave), dim3(wave), 0, 0, d);
    hipMemcpy(x, d, 512, hipMemcpyDeviceToHost); hipFree(d);
}
"""
    for to in ("c", "bang"):
        t = translate(src, to, kernel="run", path="twice.hip")
        assert t.status == "checked", t.why
        assert "hipGetDevice" not in t.code and "hipDeviceGetAttribute" not in t.code
    bad = src.replace("hipDeviceAttributeWarpSize", "hipDeviceAttributeMultiprocessorCount")
    t = translate(bad, "c", kernel="run", path="twice.hip")
    assert t.status == "refused" and "warp size only" in t.why


def test_provenance_does_not_name_detensorize_where_no_intrinsic_was_expanded():
    src = PER_THREAD.replace("__expf(__ldg(x + i)) * rsqrtf(fabsf(x[i]) + 1.0f) + (float)__popc(i) + "
                             "(float)__float2int_rn(x[i])", "2.0f * x[i]").replace("atomicAdd(&h[i % 8], 1);", "")
    t = translate(src, "c", path="k.cu")
    assert t.status == "checked", t.why
    assert "detensorize" not in {o.pass_name for o in t.provenance}
