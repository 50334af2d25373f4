// argmax: out[r] = index of the first maximum of row r of x[rows, cols] (float32 in,
// int32 out).
//
// One warp per row, four rows per 128-thread block.  Each lane scans the columns
// lane, lane + 32, ... keeping its best value and the first column where it occurred;
// then a 5-step __shfl_xor_sync butterfly exchanges (value, index) pairs, preferring the
// smaller index on equal values, so every lane ends with the row's first argmax.  A
// lane with no column (cols < 32) starts at -inf with index cols and loses every tie.
#include <cuda_runtime.h>
#include <math.h>

#define FULL_MASK 0xffffffffu

// xpiler: launch grid=12,1,1 block=128,1,1
// xpiler: args x=float32[45,300] out=int32[45] rows=45 cols=300
__global__ void argmax_rows(const float* __restrict__ x, int* __restrict__ out, int rows, int cols)
{
    const int lane = threadIdx.x & 31;
    const int row = blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    if (row >= rows)                                     // the whole warp leaves together
        return;
    const float* xr = x + (size_t)row * cols;

    float bv = -INFINITY;
    int bi = cols;
    for (int c = lane; c < cols; c += 32) {
        const float v = xr[c];
        if (v > bv) {
            bv = v;
            bi = c;
        }
    }
#pragma unroll
    for (int m = 16; m > 0; m >>= 1) {
        const float ov = __shfl_xor_sync(FULL_MASK, bv, m);
        const int oi = __shfl_xor_sync(FULL_MASK, bi, m);
        if (ov > bv || (ov == bv && oi < bi)) {
            bv = ov;
            bi = oi;
        }
    }
    if (lane == 0)
        out[row] = bi;
}
