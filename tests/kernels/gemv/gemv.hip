// gemv: y[M] = A[M,K] * x[K], float32, A row-major.
//
// One wave64 per row of A, four rows per 256-thread workgroup.  Lanes read
// the row with unit stride (coalesced), keep a partial dot product, and the
// wavefront folds the 64 partials with a __shfl_xor butterfly.
#include <hip/hip_runtime.h>

#define ROWS_PER_BLOCK 4
#define WAVE_SIZE 64

__global__ __launch_bounds__(ROWS_PER_BLOCK * WAVE_SIZE)
void gemv_rows(const float* __restrict__ A, const float* __restrict__ x,
               float* __restrict__ y, int M, int K)
{
    const int lane = threadIdx.x & (WAVE_SIZE - 1);
    const int row  = blockIdx.x * ROWS_PER_BLOCK + threadIdx.x / WAVE_SIZE;
    if (row >= M) return;                 // whole wavefront leaves together

    const float* a = A + (size_t)row * K;
    float sum = 0.0f;
    for (int k = lane; k < K; k += WAVE_SIZE)
        sum = fmaf(a[k], x[k], sum);

#pragma unroll
    for (int mask = WAVE_SIZE / 2; mask >= 1; mask >>= 1)
        sum += __shfl_xor(sum, mask, WAVE_SIZE);

    if (lane == 0)
        y[row] = sum;
}

// xpiler: args A=float32[300,333] x=float32[333] y=float32[300] M=300 K=333
extern "C" void gemv_host(const float* A, const float* x, float* y, int M, int K)
{
    float *dA, *dx, *dy;
    hipMalloc(&dA, sizeof(float) * M * K);
    hipMalloc(&dx, sizeof(float) * K);
    hipMalloc(&dy, sizeof(float) * M);
    hipMemcpy(dA, A, sizeof(float) * M * K, hipMemcpyHostToDevice);
    hipMemcpy(dx, x, sizeof(float) * K, hipMemcpyHostToDevice);

    const dim3 block(ROWS_PER_BLOCK * WAVE_SIZE);
    const dim3 grid((M + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK);
    hipLaunchKernelGGL(gemv_rows, grid, block, 0, 0, dA, dx, dy, M, K);

    hipMemcpy(y, dy, sizeof(float) * M, hipMemcpyDeviceToHost);
    hipFree(dA);
    hipFree(dx);
    hipFree(dy);
}
