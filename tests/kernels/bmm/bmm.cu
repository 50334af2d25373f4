// bmm: C[b] = A[b] * B[b] for b < batch; A[batch,M,K], B[batch,K,N] in half precision,
// C[batch,M,N] in float32 (row-major, float accumulation).
//
// nvcuda::wmma m16n16k16 with __half fragments and a float accumulator.  A 3-D grid:
// blockIdx.z is the batch entry, (x, y) the 32x32 output tile; the 4 warps of a block form
// a 2x2 arrangement of 16x16 tiles.  Tiles are staged in shared memory with zero padding
// (any M, N, K) and with padded leading dimensions (A_LD = 24 halves, B_LD = 40 halves,
// C_LD = 36 floats: all multiples of 16 bytes, every warp's fragment pointer 32-byte aligned).
#include <cuda_runtime.h>
#include <cuda_fp16.h>
#include <mma.h>

using namespace nvcuda;

#define TILE_M 32
#define TILE_N 32
#define TILE_K 16
#define FRAG 16
#define A_LD (TILE_K + 8)
#define B_LD (TILE_N + 8)
#define C_LD (TILE_N + 4)
#define BMM_THREADS 128

// xpiler: launch grid=2,2,4 block=128,1,1
// xpiler: args A=float16[4,40,36] B=float16[4,36,50] C=float32[4,40,50] batch=4 M=40 N=50 K=36
__global__ void bmm_wmma_f16(const __half* __restrict__ A, const __half* __restrict__ B,
                             float* __restrict__ C, int batch, int M, int N, int K)
{
    __shared__ __align__(32) __half sA[TILE_M * A_LD];
    __shared__ __align__(32) __half sB[TILE_K * B_LD];
    __shared__ __align__(32) float sC[TILE_M * C_LD];

    const int b = blockIdx.z;
    if (b >= batch)
        return;
    const __half* Ab = A + (size_t)b * M * K;
    const __half* Bb = B + (size_t)b * K * N;
    float* Cb = C + (size_t)b * M * N;

    const int row0 = blockIdx.y * TILE_M;
    const int col0 = blockIdx.x * TILE_N;
    const int warp = threadIdx.x >> 5;
    const int wr = warp >> 1;   // warp row in the 2x2 arrangement
    const int wc = warp & 1;    // warp column
    const __half zero = __float2half(0.0f);

    wmma::fragment<wmma::matrix_a, FRAG, FRAG, FRAG, __half, wmma::row_major> a_frag;
    wmma::fragment<wmma::matrix_b, FRAG, FRAG, FRAG, __half, wmma::row_major> b_frag;
    wmma::fragment<wmma::accumulator, FRAG, FRAG, FRAG, float> c_frag;
    wmma::fill_fragment(c_frag, 0.0f);

    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        for (int e = threadIdx.x; e < TILE_M * TILE_K; e += BMM_THREADS) {
            const int r = e / TILE_K, kk = e % TILE_K;
            const int gr = row0 + r, gk = k0 + kk;
            sA[r * A_LD + kk] = (gr < M && gk < K) ? Ab[(size_t)gr * K + gk] : zero;
        }
        for (int e = threadIdx.x; e < TILE_K * TILE_N; e += BMM_THREADS) {
            const int kk = e / TILE_N, c = e % TILE_N;
            const int gk = k0 + kk, gc = col0 + c;
            sB[kk * B_LD + c] = (gk < K && gc < N) ? Bb[(size_t)gk * N + gc] : zero;
        }
        __syncthreads();

        wmma::load_matrix_sync(a_frag, sA + wr * FRAG * A_LD, A_LD);
        wmma::load_matrix_sync(b_frag, sB + wc * FRAG, B_LD);
        wmma::mma_sync(c_frag, a_frag, b_frag, c_frag);
        __syncthreads();
    }

    wmma::store_matrix_sync(sC + wr * FRAG * C_LD + wc * FRAG, c_frag, C_LD, wmma::mem_row_major);
    __syncthreads();

    for (int e = threadIdx.x; e < TILE_M * TILE_N; e += BMM_THREADS) {
        const int r = e / TILE_N, c = e % TILE_N;
        const int gr = row0 + r, gc = col0 + c;
        if (gr < M && gc < N)
            Cb[(size_t)gr * N + gc] = sC[r * C_LD + c];
    }
}
