// gemm: C[M,N] = A[M,K] * B[K,N], float32, all row-major.
//
// Matrix-core version for CDNA (gfx908/gfx90a): V_MFMA_F32_16X16X4F32.
// A 256-thread workgroup (four wave64s, 2x2) owns a 32x32 tile of C; each
// wavefront owns one 16x16 sub-tile and keeps it in a 4-float accumulator.
// K is walked in slabs of 16 staged through LDS; elements outside A or B
// are stored as zero, so M, N and K need not be multiples of the tile.
//
// Per-lane operand layout of mfma_f32_16x16x4f32 (lane L, i = L % 16,
// q = L / 16):  a = A[i][q],  b = B[q][i],  acc[r] = C[4*q + r][i].
#include <hip/hip_runtime.h>

typedef float floatx4 __attribute__((ext_vector_type(4)));

#define TILE_M 32
#define TILE_N 32
#define TILE_K 16
#define GEMM_THREADS 256

// xpiler: launch grid=3,4,1 block=256,1,1
// xpiler: args A=float32[100,50] B=float32[50,72] C=float32[100,72] M=100 N=72 K=50
__global__ void __launch_bounds__(GEMM_THREADS)
gemm_mfma_f32(const float* __restrict__ A, const float* __restrict__ B,
              float* __restrict__ C, int M, int N, int K)
{
    // +1 column of padding keeps the 16 rows a wavefront reads per column
    // in distinct LDS banks.
    __shared__ float sA[TILE_M][TILE_K + 1];
    __shared__ float sB[TILE_K][TILE_N + 1];

    const int tid  = threadIdx.x;
    const int lane = tid & 63;
    const int wave = tid >> 6;            // 0..3
    const int wm   = (wave >> 1) * 16;    // sub-tile row offset inside the block tile
    const int wn   = (wave & 1) * 16;     // sub-tile column offset

    const int m0 = blockIdx.y * TILE_M;
    const int n0 = blockIdx.x * TILE_N;

    const int li = lane & 15;             // row of A / column of B this lane feeds
    const int lq = lane >> 4;             // k index within each 4-wide step

    floatx4 acc = {0.0f, 0.0f, 0.0f, 0.0f};

    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        // 32x16 elements of A and 16x32 of B: two of each per thread.
#pragma unroll
        for (int p = 0; p < (TILE_M * TILE_K) / GEMM_THREADS; ++p) {
            int e = tid + p * GEMM_THREADS;
            int r = e / TILE_K, c = e % TILE_K;
            int gr = m0 + r, gc = k0 + c;
            sA[r][c] = (gr < M && gc < K) ? A[(size_t)gr * K + gc] : 0.0f;
        }
#pragma unroll
        for (int p = 0; p < (TILE_K * TILE_N) / GEMM_THREADS; ++p) {
            int e = tid + p * GEMM_THREADS;
            int r = e / TILE_N, c = e % TILE_N;
            int gr = k0 + r, gc = n0 + c;
            sB[r][c] = (gr < K && gc < N) ? B[(size_t)gr * N + gc] : 0.0f;
        }
        __syncthreads();

#pragma unroll
        for (int kk = 0; kk < TILE_K; kk += 4) {
            float a = sA[wm + li][kk + lq];
            float b = sB[kk + lq][wn + li];
            acc = __builtin_amdgcn_mfma_f32_16x16x4f32(a, b, acc, 0, 0, 0);
        }
        __syncthreads();
    }

    // acc[r] is C[4*lq + r][li] of this wavefront's 16x16 sub-tile.
    const int col = n0 + wn + li;
#pragma unroll
    for (int r = 0; r < 4; ++r) {
        int row = m0 + wm + 4 * lq + r;
        if (row < M && col < N)
            C[(size_t)row * N + col] = acc[r];
    }
}
