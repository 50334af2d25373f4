// gemm_tile_war: C[M,N] = A[M,K] B[K,N], float32, row-major, 16x16 shared-memory tiles.
// Each iteration loads one tile of A and B, and every thread accumulates 16 products.
#include <cuda_runtime.h>

#define T 16

// xpiler: launch grid=3,2,1 block=16,16,1
// xpiler: args A=float32[32,64] B=float32[64,48] C=float32[32,48] M=32 N=48 K=64
__global__ void gemm_tile_war(const float *A, const float *B, float *C, int M, int N, int K)
{
    __shared__ float As[T][T];
    __shared__ float Bs[T][T];
    const int tx = threadIdx.x, ty = threadIdx.y;
    const int row = blockIdx.y * T + ty, col = blockIdx.x * T + tx;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += T) {
        As[ty][tx] = A[row * K + k0 + tx];
        Bs[ty][tx] = B[(k0 + ty) * N + col];
        __syncthreads();
        for (int k = 0; k < T; ++k)
            acc += As[ty][k] * Bs[k][tx];
    }
    C[row * N + col] = acc;
}
