// gemv (int8): y[M] (int32) = A[M,K] (int8) x[K] (int8), row-major, exact.
//
// One wave64 per row, four rows per 256-thread workgroup.  Rows are read four bytes at a
// time as char4 (K is a multiple of 4, so every row starts 4-byte aligned) and the four
// signed byte products go into an int32 accumulator (__dp4a by hand: ROCm 5 lacks it).
// The wave folds its 64 partial sums with __shfl_down at offsets 32, 16, ..., 1 and
// lane 0 stores.
#include <hip/hip_runtime.h>
#include <stdint.h>

#define GEMV_WAVES 4

// xpiler: launch grid=17,1,1 block=256,1,1
// xpiler: args A=int8[67,260] x=int8[260] y=int32[67] M=67 K=260
__global__ void __launch_bounds__(GEMV_WAVES * 64)
gemv_i8_rows(const int8_t* __restrict__ A, const int8_t* __restrict__ x, int32_t* __restrict__ y, int M, int K)
{
    const int lane = threadIdx.x & 63;
    const int row = blockIdx.x * GEMV_WAVES + (threadIdx.x >> 6);
    if (row >= M)                         // wave-uniform
        return;
    const int kw = K / 4;
    const char4* a = reinterpret_cast<const char4*>(A + (size_t)row * K);
    const char4* xv = reinterpret_cast<const char4*>(x);

    int acc = 0;
    for (int q = lane; q < kw; q += 64) {
        const char4 u = a[q];
        const char4 v = xv[q];
        acc += (int)u.x * (int)v.x + (int)u.y * (int)v.y + (int)u.z * (int)v.z + (int)u.w * (int)v.w;
    }
    for (int off = 32; off > 0; off >>= 1)
        acc += __shfl_down(acc, off);
    if (lane == 0)
        y[row] = acc;
}
