// smem_gemm_tile: C[M,N] = A[M,K] B[K,N], float32, one 64x64 output tile per 256-thread
// block, each thread computing a 4x4 micro-tile. The block stages a 64 x 32 slab of A and
// a 32 x 64 slab of B per step in static shared memory.
#include <cuda_runtime.h>

#define BM 64
#define BN 64
#define BK 32

// xpiler: launch grid=2,2,1 block=16,16,1
// xpiler: args A=float32[128,256] B=float32[256,128] C=float32[128,128] M=128 N=128 K=256
__global__ void smem_gemm_tile(const float *A, const float *B, float *C, int M, int N, int K)
{
    __shared__ float As[BM][BK];
    __shared__ float Bs[BK][BN];
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    const int row0 = blockIdx.y * BM, col0 = blockIdx.x * BN;
    float acc[4][4] = {};
    for (int k0 = 0; k0 < K; k0 += BK) {
        for (int e = tid; e < BM * BK; e += 256) {
            As[e / BK][e % BK] = A[(row0 + e / BK) * K + k0 + e % BK];
            Bs[e / BN][e % BN] = B[(k0 + e / BN) * N + col0 + e % BN];
        }
        __syncthreads();
        for (int k = 0; k < BK; ++k)
            for (int i = 0; i < 4; ++i)
                for (int j = 0; j < 4; ++j)
                    acc[i][j] += As[ty * 4 + i][k] * Bs[k][tx * 4 + j];
        __syncthreads();
    }
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            C[(row0 + ty * 4 + i) * N + col0 + tx * 4 + j] = acc[i][j];
}
