// reduce_max: out[r] = max_c x[r, c], x[rows, cols] float32, row-major.
//
// One 128-thread workgroup per row; lane-local maxima go through a
// power-of-two LDS tree.  The last 64 values form a single wavefront, but
// the tree keeps a barrier per level so it does not depend on lockstep
// execution.
#include <hip/hip_runtime.h>
#include <math.h>

#define RMAX_THREADS 128

// xpiler: launch grid=64,1,1 block=128,1,1
// xpiler: args x=float32[64,515] out=float32[64] rows=64 cols=515
__global__ void __launch_bounds__(RMAX_THREADS)
reduce_max_rows(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    __shared__ float smax[RMAX_THREADS];

    const int tid = threadIdx.x;
    const float* xr = x + (size_t)blockIdx.x * cols;

    float m = -INFINITY;
    for (int c = tid; c < cols; c += RMAX_THREADS)
        m = fmaxf(m, xr[c]);
    smax[tid] = m;
    __syncthreads();

#pragma unroll
    for (int s = RMAX_THREADS / 2; s > 0; s >>= 1) {
        if (tid < s)
            smax[tid] = fmaxf(smax[tid], smax[tid + s]);
        __syncthreads();
    }

    if (tid == 0 && (int)blockIdx.x < rows)
        out[blockIdx.x] = smax[0];
}
