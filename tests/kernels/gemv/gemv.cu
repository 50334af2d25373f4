// gemv: y[M] = A[M,K] * x[K], A row-major (float32).
//
// One warp per row: the lanes stride along the row (coalesced), then a __shfl_down_sync
// tree folds the 32 partial sums into lane 0.  gemv_host is an extern "C" host wrapper.
#include <cuda_runtime.h>

#define WARPS_PER_BLOCK 8
#define GEMV_THREADS (WARPS_PER_BLOCK * 32)

__global__ void gemv_warp_kernel(const float* __restrict__ A, const float* __restrict__ x,
                                 float* __restrict__ y, int M, int K)
{
    const int lane = threadIdx.x % warpSize;
    const int row = blockIdx.x * (blockDim.x / warpSize) + threadIdx.x / warpSize;
    if (row >= M)   // the whole warp leaves together: row is uniform within a warp
        return;

    const float* a = A + (size_t)row * K;
    float sum = 0.0f;
    for (int k = lane; k < K; k += warpSize)
        sum = fmaf(a[k], x[k], sum);

    for (int offset = warpSize / 2; offset > 0; offset /= 2)
        sum += __shfl_down_sync(0xffffffffu, sum, offset);
    if (lane == 0)
        y[row] = sum;
}

// xpiler: args A=float32[300,257] x=float32[257] y=float32[300] M=300 K=257
extern "C" void gemv_host(const float* A, const float* x, float* y, int M, int K)
{
    float *dA, *dx, *dy;
    cudaMalloc((void**)&dA, sizeof(float) * (size_t)M * K);
    cudaMalloc((void**)&dx, sizeof(float) * K);
    cudaMalloc((void**)&dy, sizeof(float) * M);
    cudaMemcpy(dA, A, sizeof(float) * (size_t)M * K, cudaMemcpyHostToDevice);
    cudaMemcpy(dx, x, sizeof(float) * K, cudaMemcpyHostToDevice);

    const int blocks = (M + WARPS_PER_BLOCK - 1) / WARPS_PER_BLOCK;
    gemv_warp_kernel<<<blocks, GEMV_THREADS>>>(dA, dx, dy, M, K);
    cudaDeviceSynchronize();

    cudaMemcpy(y, dy, sizeof(float) * M, cudaMemcpyDeviceToHost);
    cudaFree(dA);
    cudaFree(dx);
    cudaFree(dy);
}
