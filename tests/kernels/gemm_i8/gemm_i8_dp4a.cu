// gemm_i8 (dp4a): C[M,N] (int32) = A[M,K] (int8) * B[K,N] (int8), all row-major, exact.
//
// 16x16 output tile per 16x16 block on a 2-D grid; K advances 16 at a time.  Per step the
// first 64 threads pack four consecutive k of a row of A into one int (byte j = k0+4q+j),
// the next 64 pack four k of a column of B the same way (B transposed in shared memory),
// bytes past M, N or K are zero.  Each thread then does four __dp4a (signed bytes, int32
// accumulate) per step.  Two __syncthreads() per step: after the packing and before the
// next step overwrites the tiles.  M, N, K (37, 53, 70) are not multiples of 16 or 4.
#include <cuda_runtime.h>
#include <stdint.h>

#define TILE 16
#define KQ (TILE / 4)          // packed words per tile row

__device__ __forceinline__ int pack4(int8_t b0, int8_t b1, int8_t b2, int8_t b3)
{
    return (int)((unsigned)(uint8_t)b0 | ((unsigned)(uint8_t)b1 << 8) |
                 ((unsigned)(uint8_t)b2 << 16) | ((unsigned)(uint8_t)b3 << 24));
}

// xpiler: launch grid=4,3,1 block=16,16,1
// xpiler: args A=int8[37,70] B=int8[70,53] C=int32[37,53] M=37 N=53 K=70
__global__ void __launch_bounds__(TILE * TILE)
gemm_i8_dp4a(const int8_t* __restrict__ A, const int8_t* __restrict__ B, int32_t* __restrict__ C,
             int M, int N, int K)
{
    __shared__ int As[TILE][KQ];     // As[m][q]: A[row0+m][k0+4q .. k0+4q+3]
    __shared__ int Bs[TILE][KQ];     // Bs[n][q]: B[k0+4q .. k0+4q+3][col0+n]

    const int tx = threadIdx.x, ty = threadIdx.y;
    const int tid = ty * TILE + tx;
    const int row0 = blockIdx.y * TILE;
    const int col0 = blockIdx.x * TILE;

    int acc = 0;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        if (tid < TILE * KQ) {
            const int m = tid / KQ, q = tid % KQ;
            const int r = row0 + m, k = k0 + 4 * q;
            int8_t v[4];
            for (int j = 0; j < 4; ++j)
                v[j] = (r < M && k + j < K) ? A[(size_t)r * K + k + j] : (int8_t)0;
            As[m][q] = pack4(v[0], v[1], v[2], v[3]);
        } else if (tid < 2 * TILE * KQ) {
            const int t = tid - TILE * KQ;
            const int nn = t / KQ, q = t % KQ;
            const int c = col0 + nn, k = k0 + 4 * q;
            int8_t v[4];
            for (int j = 0; j < 4; ++j)
                v[j] = (c < N && k + j < K) ? B[(size_t)(k + j) * N + c] : (int8_t)0;
            Bs[nn][q] = pack4(v[0], v[1], v[2], v[3]);
        }
        __syncthreads();

#pragma unroll
        for (int q = 0; q < KQ; ++q)
            acc = __dp4a(As[ty][q], Bs[tx][q], acc);
        __syncthreads();
    }

    const int r = row0 + ty, c = col0 + tx;
    if (r < M && c < N)
        C[(size_t)r * N + c] = acc;
}
