// scan (wavefront): inclusive prefix sum along each row of x[rows, cols] (float32).
//
// One wave64 per row, four rows per 256-thread workgroup, no LDS and no barrier.  The row
// goes by in 64-column chunks: a 6-step __shfl_up scan (offsets 1..32, the last step only
// exists because a wavefront has 64 lanes), plus the carry of the previous chunks, which
// every lane then advances by the chunk total read from lane 63 with __shfl.  The chunk
// loop bound is uniform in the wave, so every lane takes part in every shuffle.
// Written for wave64 (gfx9 / CDNA); WAVE is a compile-time 64 on purpose.
#include <hip/hip_runtime.h>

#define WAVE 64
#define ROWS_PER_BLOCK 4

// xpiler: launch grid=3,1,1 block=256,1,1
// xpiler: args x=float32[10,450] out=float32[10,450] rows=10 cols=450
__global__ void __launch_bounds__(WAVE * ROWS_PER_BLOCK)
scan_rows_wave(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    const int lane = threadIdx.x % WAVE;
    const int row = blockIdx.x * ROWS_PER_BLOCK + threadIdx.x / WAVE;
    if (row >= rows)                      // wave-uniform
        return;
    const float* xr = x + (size_t)row * cols;
    float* yr = out + (size_t)row * cols;

    float carry = 0.0f;
    for (int c0 = 0; c0 < cols; c0 += WAVE) {
        const int c = c0 + lane;
        float v = c < cols ? xr[c] : 0.0f;
        for (int d = 1; d < WAVE; d <<= 1) {
            const float up = __shfl_up(v, d);
            if (lane >= d)
                v += up;
        }
        if (c < cols)
            yr[c] = v + carry;
        carry += __shfl(v, WAVE - 1);
    }
}
