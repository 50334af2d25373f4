// gemm (half inputs): C[M,N] (float32) = A[M,K] (__half) * B[K,N] (__half),
// all row-major, accumulated in float32 on the matrix cores with
// V_MFMA_F32_16X16X16F16.
//
// Each wave64 computes one 16x16 tile of C; a 256-thread workgroup holds a
// 2x2 arrangement of waves (a 32x32 tile).  Operands are read straight from
// global memory, with out-of-range elements replaced by zero, so partial
// tiles in M, N and K are handled by the guards alone.
//
// Per-lane layout (lane L, i = L % 16, q = L / 16, s = 0..3):
//   a[s] = A[i][4q + s],  b[s] = B[4q + s][i],  acc[r] = C[4q + r][i].
#include <hip/hip_runtime.h>
#include <hip/hip_fp16.h>

typedef _Float16 half4_t __attribute__((ext_vector_type(4)));
typedef float    float4_t __attribute__((ext_vector_type(4)));

static constexpr int kWaveTile = 16;

// xpiler: launch grid=2,3,1 block=256,1,1
// xpiler: args A=float16[70,90] B=float16[90,40] C=float32[70,40] M=70 N=40 K=90
__global__ __launch_bounds__(256) void gemm_mfma_f16(const __half* __restrict__ A,
                                                     const __half* __restrict__ B,
                                                     float* __restrict__ C,
                                                     int M, int N, int K)
{
    const int lane = threadIdx.x % 64;
    const int wave = threadIdx.x / 64;
    const int row0 = (blockIdx.y * 2 + (wave >> 1)) * kWaveTile;
    const int col0 = (blockIdx.x * 2 + (wave & 1)) * kWaveTile;

    const int i = lane & 15;
    const int q = lane >> 4;
    const int arow = row0 + i;       // row of A this lane supplies
    const int bcol = col0 + i;       // column of B this lane supplies

    float4_t acc = {0.f, 0.f, 0.f, 0.f};

    for (int k0 = 0; k0 < K; k0 += 16) {
        half4_t a, b;
#pragma unroll
        for (int s = 0; s < 4; ++s) {
            const int k = k0 + 4 * q + s;
            const __half zero = __float2half(0.0f);
            __half av = (arow < M && k < K) ? A[(size_t)arow * K + k] : zero;
            __half bv = (k < K && bcol < N) ? B[(size_t)k * N + bcol] : zero;
            a[s] = (_Float16)__half2float(av);   // exact: half -> float -> _Float16
            b[s] = (_Float16)__half2float(bv);
        }
        acc = __builtin_amdgcn_mfma_f32_16x16x16f16(a, b, acc, 0, 0, 0);
    }

#pragma unroll
    for (int r = 0; r < 4; ++r) {
        const int row = row0 + 4 * q + r;
        if (row < M && bcol < N)
            C[(size_t)row * N + bcol] = acc[r];
    }
}
