// gemm_i8: C[M,N] (int32) = A[M,K] (int8) * B[K,N] (int8), row-major, exact
// integer arithmetic on the matrix cores (V_MFMA_I32_16X16X16I8, gfx908/gfx90a).
//
// One wave64 per workgroup computes a 32x32 tile of C as 2x2 MFMA tiles,
// staging 32x16 of A and 16x32 of B per K step through LDS (zero padded at
// the M/N/K edges).  Four int8 values travel packed in one 32-bit operand,
// element s in bits 8s..8s+7.
//
// Per-lane layout (lane L, i = L % 16, q = L / 16, s = 0..3):
//   a.byte[s] = A[i][4q + s],  b.byte[s] = B[4q + s][i],  acc[r] = C[4q + r][i].
#include <hip/hip_runtime.h>
#include <stdint.h>

typedef int32_t int32x4 __attribute__((ext_vector_type(4)));

#define BM 32
#define BN 32
#define BK 16
#define WAVE 64

__device__ static inline int pack_i8x4(int8_t e0, int8_t e1, int8_t e2, int8_t e3)
{
    uint32_t v = (uint32_t)(uint8_t)e0
               | ((uint32_t)(uint8_t)e1 << 8)
               | ((uint32_t)(uint8_t)e2 << 16)
               | ((uint32_t)(uint8_t)e3 << 24);
    return (int)v;
}

// xpiler: launch grid=2,2,1 block=64,1,1
// xpiler: args A=int8[50,70] B=int8[70,45] C=int32[50,45] M=50 N=45 K=70
__global__ void __launch_bounds__(WAVE)
gemm_i8_mfma(const int8_t* __restrict__ A, const int8_t* __restrict__ B,
             int32_t* __restrict__ C, int M, int N, int K)
{
    __shared__ int8_t sA[BM][BK];
    __shared__ int8_t sB[BK][BN];

    const int lane = threadIdx.x;         // one wavefront per workgroup
    const int i = lane & 15, q = lane >> 4;
    const int m0 = blockIdx.y * BM;
    const int n0 = blockIdx.x * BN;

    int32x4 acc[2][2];
    for (int ti = 0; ti < 2; ++ti)
        for (int tj = 0; tj < 2; ++tj)
            acc[ti][tj] = (int32x4){0, 0, 0, 0};

    for (int k0 = 0; k0 < K; k0 += BK) {
        // 512 bytes of each operand, eight per lane.
        for (int e = lane; e < BM * BK; e += WAVE) {
            int r = e / BK, c = e % BK;
            int gm = m0 + r, gk = k0 + c;
            sA[r][c] = (gm < M && gk < K) ? A[gm * K + gk] : (int8_t)0;
        }
        for (int e = lane; e < BK * BN; e += WAVE) {
            int r = e / BN, c = e % BN;
            int gk = k0 + r, gn = n0 + c;
            sB[r][c] = (gk < K && gn < N) ? B[gk * N + gn] : (int8_t)0;
        }
        __syncthreads();

        int a[2], b[2];
        for (int t = 0; t < 2; ++t) {
            const int8_t* ar = &sA[t * 16 + i][4 * q];
            a[t] = pack_i8x4(ar[0], ar[1], ar[2], ar[3]);
            const int col = t * 16 + i;
            b[t] = pack_i8x4(sB[4 * q][col], sB[4 * q + 1][col],
                             sB[4 * q + 2][col], sB[4 * q + 3][col]);
        }
        for (int ti = 0; ti < 2; ++ti)
            for (int tj = 0; tj < 2; ++tj)
                acc[ti][tj] = __builtin_amdgcn_mfma_i32_16x16x16i8(a[ti], b[tj], acc[ti][tj], 0, 0, 0);
        __syncthreads();
    }

    for (int ti = 0; ti < 2; ++ti)
        for (int tj = 0; tj < 2; ++tj) {
            const int col = n0 + tj * 16 + i;
            for (int r = 0; r < 4; ++r) {
                const int row = m0 + ti * 16 + 4 * q + r;
                if (row < M && col < N)
                    C[row * N + col] = acc[ti][tj][r];
            }
        }
}
