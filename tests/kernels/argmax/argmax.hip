// argmax: out[r] = index of the first maximum of row r of x[rows, cols] (float32 in,
// int32 out).
//
// One wavefront per row, four rows per 256-thread workgroup.  The row is read in chunks
// of warpSize columns (64 on CDNA).  Per chunk, the chunk maximum is all-reduced with
// __shfl_xor; if it beats the running maximum, __ballot (a 64-bit mask) marks the lanes
// that hold it and __ffsll picks the lowest one, which is the first column of the chunk
// with that value.  Chunks are taken in order and only a strictly greater maximum
// replaces the best, so the first occurrence in the row wins.
#include <hip/hip_runtime.h>
#include <math.h>

#define ROWS_PER_BLOCK 4

// xpiler: launch grid=8,1,1 block=256,1,1
// xpiler: args x=float32[30,333] out=int32[30] rows=30 cols=333
__global__ void argmax_rows_wave(const float* __restrict__ x, int* __restrict__ out, int rows, int cols)
{
    const int lane = threadIdx.x % warpSize;
    const int row = blockIdx.x * ROWS_PER_BLOCK + threadIdx.x / warpSize;
    if (row >= rows)                      // wave-uniform
        return;
    const float* xr = x + (size_t)row * cols;

    float best = -INFINITY;
    int best_idx = 0;
    for (int c0 = 0; c0 < cols; c0 += warpSize) {
        const int c = c0 + lane;
        const float v = c < cols ? xr[c] : -INFINITY;
        float m = v;
        for (int off = warpSize / 2; off > 0; off >>= 1)
            m = fmaxf(m, __shfl_xor(m, off));
        if (m > best) {                   // m is the same in every lane: uniform branch
            const unsigned long long hit = __ballot(v == m);
            best = m;
            best_idx = c0 + __ffsll(hit) - 1;
        }
    }
    if (lane == 0)
        out[row] = best_idx;
}
