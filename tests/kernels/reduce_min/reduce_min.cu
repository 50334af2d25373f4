// reduce_min: out[r] = min_c x[r, c] for x[rows, cols] (float32).
//
// One warp per row: a 2-D block of 32 x 4 threads, threadIdx.y selects the row inside the
// block (each y-slice is exactly one warp), threadIdx.x strides along the row.  Butterfly
// __shfl_xor_sync leaves the minimum in every lane; no shared memory, no block barrier.
#include <cuda_runtime.h>
#include <math.h>

#define ROWS_PER_BLOCK 4

// xpiler: launch grid=18,1,1 block=32,4,1
// xpiler: args x=float32[70,1025] out=float32[70] rows=70 cols=1025
__global__ void reduce_min_kernel(const float* __restrict__ x, float* __restrict__ out,
                                  int rows, int cols)
{
    const int row = blockIdx.x * ROWS_PER_BLOCK + threadIdx.y;
    if (row >= rows)   // uniform within the warp
        return;

    const float* xr = x + (size_t)row * cols;
    float m = INFINITY;
    for (int c = threadIdx.x; c < cols; c += 32)
        m = fminf(m, xr[c]);

    for (int lane_mask = 16; lane_mask > 0; lane_mask >>= 1)
        m = fminf(m, __shfl_xor_sync(0xffffffffu, m, lane_mask));

    if (threadIdx.x == 0)
        out[row] = m;
}
