// gemm (fp32): C[M,N] = A[M,K] * B[K,N], all row-major.
//
// Shared-memory tiled: a 16x16 thread block computes a 32x32 tile of C, each thread a 2x2
// micro-tile (rows ty, ty+16 and columns tx, tx+16).  K advances in steps of BK = 16; both
// tiles are zero-filled outside the matrices, so M, N, K need not divide the tile sizes.
// A is stored transposed in shared memory (As[k][m]) with one column of padding, so the
// strided writes of the load do not collide in one bank.
#include <cuda_runtime.h>

#define BM 32
#define BN 32
#define BK 16
#define THREADS_X 16
#define THREADS_Y 16
#define NUM_THREADS (THREADS_X * THREADS_Y)
#define TM (BM / THREADS_Y)   // 2 rows per thread
#define TN (BN / THREADS_X)   // 2 columns per thread

// xpiler: launch grid=3,4,1 block=16,16,1
// xpiler: args A=float32[100,75] B=float32[75,90] C=float32[100,90] M=100 N=90 K=75
__global__ void __launch_bounds__(NUM_THREADS)
gemm_tiled_kernel(const float* __restrict__ A, const float* __restrict__ B,
                  float* __restrict__ C, int M, int N, int K)
{
    __shared__ float As[BK][BM + 1];
    __shared__ float Bs[BK][BN];

    const int tx = threadIdx.x;
    const int ty = threadIdx.y;
    const int tid = ty * THREADS_X + tx;
    const int row0 = blockIdx.y * BM;
    const int col0 = blockIdx.x * BN;

    float acc[TM][TN];
#pragma unroll
    for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TN; ++j)
            acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += BK) {
        // A tile: BM x BK, consecutive threads walk along a row of A (coalesced)
        for (int e = tid; e < BM * BK; e += NUM_THREADS) {
            const int r = e / BK, kk = e % BK;
            const int gr = row0 + r, gk = k0 + kk;
            As[kk][r] = (gr < M && gk < K) ? A[(size_t)gr * K + gk] : 0.0f;
        }
        // B tile: BK x BN, consecutive threads walk along a row of B
        for (int e = tid; e < BK * BN; e += NUM_THREADS) {
            const int kk = e / BN, c = e % BN;
            const int gk = k0 + kk, gc = col0 + c;
            Bs[kk][c] = (gk < K && gc < N) ? B[(size_t)gk * N + gc] : 0.0f;
        }
        __syncthreads();

#pragma unroll
        for (int kk = 0; kk < BK; ++kk) {
            float a[TM], b[TN];
#pragma unroll
            for (int i = 0; i < TM; ++i)
                a[i] = As[kk][ty + i * THREADS_Y];
#pragma unroll
            for (int j = 0; j < TN; ++j)
                b[j] = Bs[kk][tx + j * THREADS_X];
#pragma unroll
            for (int i = 0; i < TM; ++i)
#pragma unroll
                for (int j = 0; j < TN; ++j)
                    acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }

#pragma unroll
    for (int i = 0; i < TM; ++i) {
        const int r = row0 + ty + i * THREADS_Y;
#pragma unroll
        for (int j = 0; j < TN; ++j) {
            const int c = col0 + tx + j * THREADS_X;
            if (r < M && c < N)
                C[(size_t)r * N + c] = acc[i][j];
        }
    }
}
