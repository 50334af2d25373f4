// l2norm: out[r, :] = x[r, :] / sqrt(sum_c x[r, c]^2 + eps), x and out float32 [rows, cols].
//
// One warp per row, eight rows per 256-thread block; no shared memory.  Lanes stride
// along the row, a __shfl_down_sync tree gathers the sum of squares in lane 0, and
// __shfl_sync(..., 0) broadcasts lane 0's total to the whole warp, which then scales its
// columns.  The shapes divide nothing: 37 rows leave three warps of the last block idle
// (they return as a whole warp), 53 columns leave 11 lanes idle on the second pass.
#include <cuda_runtime.h>

#define FULL_MASK 0xffffffffu
#define L2_WARPS 8

// xpiler: launch grid=5,1,1 block=256,1,1
// xpiler: args x=float32[37,53] out=float32[37,53] rows=37 cols=53 eps=1e-12
__global__ void __launch_bounds__(L2_WARPS * 32)
l2norm_rows(const float* __restrict__ x, float* __restrict__ out, int rows, int cols, float eps)
{
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * L2_WARPS + (threadIdx.x >> 5);
    if (row >= rows)
        return;
    const float* xr = x + (size_t)row * cols;
    float* yr = out + (size_t)row * cols;

    float ss = 0.0f;
    for (int c = lane; c < cols; c += 32)
        ss = fmaf(xr[c], xr[c], ss);
#pragma unroll
    for (int off = 16; off > 0; off >>= 1)
        ss += __shfl_down_sync(FULL_MASK, ss, off);
    ss = __shfl_sync(FULL_MASK, ss, 0);                 // only lane 0 held the full sum

    const float inv = rsqrtf(ss + eps);
    for (int c = lane; c < cols; c += 32)
        yr[c] = xr[c] * inv;
}
