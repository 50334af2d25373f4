// reduce_min: out[r] = min_c x[r, c], x[rows, cols] float32, row-major.
//
// One workgroup per row with a block size that is NOT a multiple of the
// wavefront (the manifest uses 160 = 64 + 64 + 32).  The last wavefront is
// only partly populated, and on AMD a lane that reads an inactive lane
// through __shfl_down gets 0, which would poison a minimum.  So every
// shuffle step checks that its source lane exists before it combines, and
// the per-wave minima are then folded through LDS by wavefront 0.
#include <hip/hip_runtime.h>
#include <float.h>

#define RMIN_MAX_WAVES 16

__device__ float wave_min_partial(float v, int lane, int live);

// xpiler: launch grid=50,1,1 block=160,1,1
// xpiler: args x=float32[50,999] out=float32[50] rows=50 cols=999
__global__ void __launch_bounds__(1024)
reduce_min_rows(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    __shared__ float swave[RMIN_MAX_WAVES];

    const int row = blockIdx.x;
    if (row >= rows) return;

    const int tid    = threadIdx.x;
    const int lane   = tid % warpSize;
    const int wave   = tid / warpSize;
    const int nwaves = (blockDim.x + warpSize - 1) / warpSize;
    // lanes actually present in this wavefront (fewer than warpSize in the last one)
    const int live   = min((int)warpSize, (int)blockDim.x - wave * warpSize);

    const float* xr = x + (size_t)row * cols;
    float m = FLT_MAX;
    for (int c = tid; c < cols; c += blockDim.x)
        m = fminf(m, xr[c]);

    m = wave_min_partial(m, lane, live);
    if (lane == 0) swave[wave] = m;
    __syncthreads();

    if (wave == 0) {
        float v = lane < nwaves ? swave[lane] : FLT_MAX;
        v = wave_min_partial(v, lane, live);      // wave 0 may itself be partial
        if (lane == 0) out[row] = v;
    }
}

// Tree over the wavefront with __shfl_down; lane 0 ends with the minimum of
// lanes [0, live).  A source lane at or beyond `live` is skipped.
__device__ float wave_min_partial(float v, int lane, int live)
{
    for (int off = warpSize / 2; off > 0; off >>= 1) {
        float other = __shfl_down(v, off);
        if (lane + off < live)
            v = fminf(v, other);
    }
    return v;
}
