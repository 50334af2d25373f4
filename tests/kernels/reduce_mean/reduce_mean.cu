// reduce_mean: out[r] = mean_c x[r, c] for x[rows, cols] (float32).
//
// One block of 256 threads per row: strided accumulation, __shfl_down_sync within each
// warp, one partial per warp in static shared memory, warp 0 finishes and divides.
#include <cuda_runtime.h>

#define THREADS 256
#define WARPS (THREADS / 32)

__device__ __forceinline__ float warp_sum(float v)
{
    v += __shfl_down_sync(0xffffffff, v, 16);
    v += __shfl_down_sync(0xffffffff, v, 8);
    v += __shfl_down_sync(0xffffffff, v, 4);
    v += __shfl_down_sync(0xffffffff, v, 2);
    v += __shfl_down_sync(0xffffffff, v, 1);
    return v;
}

// xpiler: launch grid=100,1,1 block=256,1,1
// xpiler: args x=float32[100,777] out=float32[100] rows=100 cols=777
__global__ void reduce_mean_kernel(const float* __restrict__ x, float* __restrict__ out,
                                   int rows, int cols)
{
    __shared__ float partial[WARPS];

    const int row = blockIdx.x;
    if (row >= rows)
        return;
    const float* xr = x + (long)row * cols;

    float s = 0.f;
    for (int c = threadIdx.x; c < cols; c += THREADS)
        s += xr[c];
    s = warp_sum(s);

    if ((threadIdx.x & 31) == 0)
        partial[threadIdx.x >> 5] = s;
    __syncthreads();

    if (threadIdx.x < 32) {
        s = threadIdx.x < WARPS ? partial[threadIdx.x] : 0.f;
        s = warp_sum(s);
        if (threadIdx.x == 0)
            out[row] = s / (float)cols;
    }
}
