// dense: out[batch, out_features] = x[batch, in_features] * W^T + bias, with
// W[out_features, in_features] (PyTorch Linear layout), float32, row-major.
//
// Matrix cores, V_MFMA_F32_16X16X4F32: the product is a GEMM with
// A = x and B[k][o] = W[o][k], so both operands are read along their rows.
// Each wave64 computes a 16x16 tile of out; a 128-thread workgroup holds two
// waves side by side (16 x 32).  Operands come straight from global memory
// with zero substituted outside the matrices; bias is added in the epilogue.
//
// Lane L (i = L % 16, q = L / 16):  a = x[m0 + i][k + q],  b = W[o0 + i][k + q],
// acc[r] = out[m0 + 4q + r][o0 + i].
#include <hip/hip_runtime.h>

typedef float v4f __attribute__((ext_vector_type(4)));

// xpiler: launch grid=3,2,1 block=128,1,1
// xpiler: args x=float32[20,98] W=float32[70,98] bias=float32[70] out=float32[20,70] batch=20 in_features=98 out_features=70
__global__ void __launch_bounds__(128, 2)
dense_mfma_f32(const float* __restrict__ x, const float* __restrict__ W,
               const float* __restrict__ bias, float* __restrict__ out,
               int batch, int in_features, int out_features)
{
    const int lane = threadIdx.x & 63;
    const int wave = threadIdx.x >> 6;
    const int m0 = blockIdx.y * 16;
    const int o0 = (blockIdx.x * 2 + wave) * 16;

    const int i = lane & 15;
    const int q = lane >> 4;
    const bool row_ok = (m0 + i) < batch;
    const bool col_ok = (o0 + i) < out_features;
    const float* xrow = x + (long)(m0 + i) * in_features;
    const float* wrow = W + (long)(o0 + i) * in_features;

    v4f acc = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int k = 0; k < in_features; k += 4) {
        const int kq = k + q;
        const bool k_ok = kq < in_features;
        float a = (row_ok && k_ok) ? xrow[kq] : 0.0f;
        float b = (col_ok && k_ok) ? wrow[kq] : 0.0f;
        acc = __builtin_amdgcn_mfma_f32_16x16x4f32(a, b, acc, 0, 0, 0);
    }

    if (!col_ok) return;                  // after the last MFMA: no more wave-wide work
    const float bo = bias[o0 + i];
    for (int r = 0; r < 4; ++r) {
        const int m = m0 + 4 * q + r;
        if (m < batch)
            out[(long)m * out_features + o0 + i] = acc[r] + bo;
    }
}
