// gemm_i8: C[M,N] (int32) = A[M,K] (int8) * B[K,N] (int8), row-major, exact integer math.
//
// Tensor cores through nvcuda::wmma, m16n16k16 with signed char fragments and an int
// accumulator.  A block of 4 warps (2x2) owns a 32x32 tile of C.  Each K step of 16 is
// staged through shared memory with zero padding, which handles M, N, K that are not
// multiples of 16 and keeps every fragment pointer 32-byte aligned with ldm a multiple of
// 16 bytes.  The accumulator goes back out through a per-warp shared buffer so that the
// partial tiles at the right and bottom edges can be stored with bounds checks.
#include <cuda_runtime.h>
#include <mma.h>
#include <stdint.h>

using namespace nvcuda;

constexpr int WMMA_M = 16;
constexpr int WMMA_N = 16;
constexpr int WMMA_K = 16;
constexpr int WARPS_M = 2;
constexpr int WARPS_N = 2;
constexpr int BLOCK_M = WMMA_M * WARPS_M;   // 32
constexpr int BLOCK_N = WMMA_N * WARPS_N;   // 32
constexpr int THREADS = 32 * WARPS_M * WARPS_N;

// xpiler: launch grid=3,4,1 block=128,1,1
// xpiler: args A=int8[100,90] B=int8[90,72] C=int32[100,72] M=100 N=72 K=90
__global__ void __launch_bounds__(THREADS)
gemm_i8_wmma_kernel(const int8_t* __restrict__ A, const int8_t* __restrict__ B,
                    int32_t* __restrict__ C, int M, int N, int K)
{
    // A tile 32x16 (ldm 16 bytes); B kept as two 16x16 sub-tiles, one per warp column,
    // so that each warp's fragment starts on a 256-byte boundary.
    __shared__ __align__(32) signed char sA[BLOCK_M][WMMA_K];
    __shared__ __align__(32) signed char sB[WARPS_N][WMMA_K][WMMA_N];
    __shared__ __align__(32) int sC[WARPS_M * WARPS_N][WMMA_M * WMMA_N];

    const int warp = threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    const int wm = warp / WARPS_N;
    const int wn = warp % WARPS_N;
    const int row0 = blockIdx.y * BLOCK_M;
    const int col0 = blockIdx.x * BLOCK_N;

    wmma::fragment<wmma::matrix_a, WMMA_M, WMMA_N, WMMA_K, signed char, wmma::row_major> a_frag;
    wmma::fragment<wmma::matrix_b, WMMA_M, WMMA_N, WMMA_K, signed char, wmma::row_major> b_frag;
    wmma::fragment<wmma::accumulator, WMMA_M, WMMA_N, WMMA_K, int> acc;
    for (int i = 0; i < acc.num_elements; ++i)
        acc.x[i] = 0;

    for (int k0 = 0; k0 < K; k0 += WMMA_K) {
        for (int e = threadIdx.x; e < BLOCK_M * WMMA_K; e += THREADS) {
            const int r = e / WMMA_K, kk = e % WMMA_K;
            const int gr = row0 + r, gk = k0 + kk;
            sA[r][kk] = (gr < M && gk < K) ? A[(size_t)gr * K + gk] : (signed char)0;
        }
        for (int e = threadIdx.x; e < WMMA_K * BLOCK_N; e += THREADS) {
            const int kk = e / BLOCK_N, c = e % BLOCK_N;
            const int gk = k0 + kk, gc = col0 + c;
            sB[c / WMMA_N][kk][c % WMMA_N] =
                (gk < K && gc < N) ? B[(size_t)gk * N + gc] : (signed char)0;
        }
        __syncthreads();

        wmma::load_matrix_sync(a_frag, &sA[wm * WMMA_M][0], WMMA_K);
        wmma::load_matrix_sync(b_frag, &sB[wn][0][0], WMMA_N);
        wmma::mma_sync(acc, a_frag, b_frag, acc);
        __syncthreads();   // before the next step overwrites sA / sB
    }

    wmma::store_matrix_sync(sC[warp], acc, WMMA_N, wmma::mem_row_major);
    __syncwarp();

    for (int e = lane; e < WMMA_M * WMMA_N; e += 32) {
        const int r = row0 + wm * WMMA_M + e / WMMA_N;
        const int c = col0 + wn * WMMA_N + e % WMMA_N;
        if (r < M && c < N)
            C[(size_t)r * N + c] = sC[warp][e];
    }
}
