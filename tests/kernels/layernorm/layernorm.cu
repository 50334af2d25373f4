// layernorm over the last axis: x[rows, cols] -> out[rows, cols],
//   out = (x - mean) / sqrt(var + eps) * gamma + beta, biased variance (as PyTorch).
//
// One block (128 threads) per row.  The row is cached in dynamic shared memory so the
// second (variance) and third (normalise) passes do not touch global memory again.
// Dynamic shared layout: [cols floats: row cache][32 floats: per-warp partials]
// -> launch with shared = (cols + 32) * sizeof(float).
#include <cuda_runtime.h>
#include <math.h>

static constexpr unsigned kFullMask = 0xffffffffu;

__device__ float block_reduce_sum(float v, float* partial);

// xpiler: launch grid=48,1,1 block=128,1,1 shared=1460
// xpiler: args x=float32[48,333] gamma=float32[333] beta=float32[333] out=float32[48,333] rows=48 cols=333 eps=1e-5
__global__ void layernorm_kernel(const float* __restrict__ x, const float* __restrict__ gamma,
                                 const float* __restrict__ beta, float* __restrict__ out,
                                 int rows, int cols, float eps)
{
    extern __shared__ float smem[];
    float* row_cache = smem;
    float* partial = smem + cols;

    const int row = blockIdx.x;
    if (row >= rows)
        return;
    const float* xr = x + (size_t)row * cols;

    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float v = xr[c];
        row_cache[c] = v;
        s += v;
    }
    const float mean = block_reduce_sum(s, partial) / cols;

    // each thread revisits the same cache slots it filled
    float sq = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        const float d = row_cache[c] - mean;
        sq = fmaf(d, d, sq);
    }
    const float var = block_reduce_sum(sq, partial) / cols;
    const float rstd = rsqrtf(var + eps);

    float* yr = out + (size_t)row * cols;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        yr[c] = (row_cache[c] - mean) * rstd * gamma[c] + beta[c];
}

// Sum over the whole block; every thread gets the result.  Tree in registers with
// __shfl_down_sync, one partial per warp in shared memory, then warp 0 folds those.
__device__ float block_reduce_sum(float v, float* partial)
{
    const unsigned lane = threadIdx.x & 31;
    const unsigned warp = threadIdx.x >> 5;
    const unsigned num_warps = (blockDim.x + 31) >> 5;

    for (int offset = 16; offset > 0; offset >>= 1)
        v += __shfl_down_sync(kFullMask, v, offset);
    if (lane == 0)
        partial[warp] = v;
    __syncthreads();

    if (warp == 0) {
        v = lane < num_warps ? partial[lane] : 0.0f;
        for (int offset = 16; offset > 0; offset >>= 1)
            v += __shfl_down_sync(kFullMask, v, offset);
        if (lane == 0)
            partial[0] = v;
    }
    __syncthreads();
    v = partial[0];
    __syncthreads();   // partial[] may be overwritten by the next call
    return v;
}
