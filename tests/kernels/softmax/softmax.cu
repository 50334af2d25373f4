// softmax: row-wise over the last axis of x[rows, cols]; out has the same shape.
//
// One block per row.  Three sweeps over the row: max, sum of exp(x - max) (written to out
// as it goes), then scaling by 1/sum.  Block-wide reductions use butterfly shuffles
// (__shfl_xor_sync, so every lane ends with the result) and a static shared array holding
// one partial per warp.  Works for any blockDim.x that is a multiple of 32, up to 1024.
#include <cuda_runtime.h>
#include <cfloat>
#include <math.h>

#define FULL_MASK 0xffffffffu
#define WARP_SIZE 32

__device__ __forceinline__ float warp_allreduce_max(float v)
{
#pragma unroll
    for (int lane_mask = WARP_SIZE / 2; lane_mask > 0; lane_mask >>= 1)
        v = fmaxf(v, __shfl_xor_sync(FULL_MASK, v, lane_mask));
    return v;
}

__device__ __forceinline__ float warp_allreduce_sum(float v)
{
#pragma unroll
    for (int lane_mask = WARP_SIZE / 2; lane_mask > 0; lane_mask >>= 1)
        v += __shfl_xor_sync(FULL_MASK, v, lane_mask);
    return v;
}

// Every thread of the block must call these (they contain barriers).
__device__ float block_allreduce_max(float v, float* red)
{
    const int lane = threadIdx.x % WARP_SIZE;
    const int warp = threadIdx.x / WARP_SIZE;
    const int num_warps = blockDim.x / WARP_SIZE;

    v = warp_allreduce_max(v);
    if (lane == 0)
        red[warp] = v;
    __syncthreads();
    v = lane < num_warps ? red[lane] : -FLT_MAX;
    v = warp_allreduce_max(v);
    __syncthreads();   // red[] is reused by the next reduction
    return v;
}

__device__ float block_allreduce_sum(float v, float* red)
{
    const int lane = threadIdx.x % WARP_SIZE;
    const int warp = threadIdx.x / WARP_SIZE;
    const int num_warps = blockDim.x / WARP_SIZE;

    v = warp_allreduce_sum(v);
    if (lane == 0)
        red[warp] = v;
    __syncthreads();
    v = lane < num_warps ? red[lane] : 0.0f;
    v = warp_allreduce_sum(v);
    __syncthreads();
    return v;
}

// xpiler: launch grid=64,1,1 block=256,1,1
// xpiler: args x=float32[64,1000] out=float32[64,1000] rows=64 cols=1000
__global__ void softmax_kernel(const float* __restrict__ x, float* __restrict__ out,
                               int rows, int cols)
{
    __shared__ float red[WARP_SIZE];

    const int row = blockIdx.x;
    if (row >= rows)          // uniform across the block: no barrier is skipped by part of it
        return;

    const float* xr = x + (size_t)row * cols;
    float* yr = out + (size_t)row * cols;

    float m = -FLT_MAX;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        m = fmaxf(m, xr[c]);
    m = block_allreduce_max(m, red);

    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float e = expf(xr[c] - m);
        yr[c] = e;            // each thread re-reads only the elements it wrote
        s += e;
    }
    s = block_allreduce_sum(s, red);

    const float inv = 1.0f / s;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        yr[c] *= inv;
}
