// bmm (half inputs): C[b] = A[b] * B[b] for A[batch,M,K], B[batch,K,N] (__half) and
// C[batch,M,N] (float32), row-major; products and sums in float.
//
// Classic LDS tiling on a 3-D grid: x = 16-column tile of C, y = 16-row tile, z = batch
// entry.  Every 16x16 workgroup loops over K in steps of 16; per step each thread stages
// one element of the A tile and one of the B tile (widened to float, zero outside the
// matrices), a barrier, 16 multiply-adds, and a second barrier before the next step
// overwrites the tiles.  None of M = 37, N = 53, K = 29 is a multiple of 16.
#include <hip/hip_runtime.h>
#include <hip/hip_fp16.h>

#define TILE 16

// xpiler: launch grid=4,3,3 block=16,16,1
// xpiler: args A=float16[3,37,29] B=float16[3,29,53] C=float32[3,37,53] batch=3 M=37 N=53 K=29
__global__ void __launch_bounds__(TILE * TILE)
bmm_f16_tiled(const __half* __restrict__ A, const __half* __restrict__ B, float* __restrict__ C,
              int batch, int M, int N, int K)
{
    __shared__ float As[TILE][TILE + 1];
    __shared__ float Bs[TILE][TILE + 1];

    const int b = blockIdx.z;
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int row = blockIdx.y * TILE + ty;
    const int col = blockIdx.x * TILE + tx;
    const __half* Ab = A + (size_t)b * M * K;
    const __half* Bb = B + (size_t)b * K * N;

    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TILE) {
        const int ka = k0 + tx;            // column of A this thread stages
        const int kb = k0 + ty;            // row of B this thread stages
        As[ty][tx] = (row < M && ka < K) ? __half2float(Ab[(size_t)row * K + ka]) : 0.0f;
        Bs[ty][tx] = (kb < K && col < N) ? __half2float(Bb[(size_t)kb * N + col]) : 0.0f;
        __syncthreads();
        for (int kk = 0; kk < TILE; ++kk)
            acc = fmaf(As[ty][kk], Bs[kk][tx], acc);
        __syncthreads();
    }
    if (b < batch && row < M && col < N)
        C[((size_t)b * M + row) * N + col] = acc;
}
