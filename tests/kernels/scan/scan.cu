// scan: inclusive prefix sum along each row, out[r, c] = x[r, 0] + ... + x[r, c]
// (float32, row-major [rows, cols]).
//
// One 256-thread block per row walks the row in chunks of 256 columns (cols need not be
// a multiple).  Per chunk: a 32-lane Kogge-Stone scan with __shfl_up_sync in every warp,
// lane 31 publishes the warp total, warp 0 scans the 8 totals, and every thread adds the
// totals of the warps before it and the carry of the previous chunks.  The chunk loop
// has three __syncthreads(); the last one keeps the next chunk from overwriting the
// warp totals while slow warps still read them.
#include <cuda_runtime.h>

#define FULL_MASK 0xffffffffu
#define SCAN_THREADS 256
#define SCAN_WARPS (SCAN_THREADS / 32)

// xpiler: launch grid=7,1,1 block=256,1,1
// xpiler: args x=float32[7,1000] out=float32[7,1000] rows=7 cols=1000
__global__ void __launch_bounds__(SCAN_THREADS)
scan_rows(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    __shared__ float warp_tot[SCAN_WARPS];

    const int row = blockIdx.x;
    if (row >= rows)                                     // uniform across the block
        return;
    const int lane = threadIdx.x & 31;
    const int warp = threadIdx.x >> 5;
    const float* xr = x + (size_t)row * cols;
    float* yr = out + (size_t)row * cols;

    float carry = 0.0f;
    for (int c0 = 0; c0 < cols; c0 += SCAN_THREADS) {
        const int c = c0 + threadIdx.x;
        float v = c < cols ? xr[c] : 0.0f;
#pragma unroll
        for (int d = 1; d < 32; d <<= 1) {
            const float up = __shfl_up_sync(FULL_MASK, v, d);
            if (lane >= d)
                v += up;
        }
        if (lane == 31)
            warp_tot[warp] = v;
        __syncthreads();

        if (warp == 0) {
            float t = lane < SCAN_WARPS ? warp_tot[lane] : 0.0f;
#pragma unroll
            for (int d = 1; d < SCAN_WARPS; d <<= 1) {
                const float up = __shfl_up_sync(FULL_MASK, t, d);
                if (lane >= d)
                    t += up;
            }
            if (lane < SCAN_WARPS)
                warp_tot[lane] = t;                      // inclusive prefix of the totals
        }
        __syncthreads();

        if (warp > 0)
            v += warp_tot[warp - 1];
        if (c < cols)
            yr[c] = v + carry;
        carry += warp_tot[SCAN_WARPS - 1];
        __syncthreads();
    }
}
