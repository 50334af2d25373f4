// scan: inclusive prefix sum along each row, out[r, c] = x[r, 0] + ... + x[r, c]
// (float32, row-major [rows, cols]).
//
// One workgroup of 128 threads per row; the row is processed in 128-column chunks with a
// running carry.  Each chunk is scanned in LDS with the Hillis-Steele method, double
// buffered (ping-pong between two halves of the buffer) so a step never reads a value the
// same step overwrites; a barrier ends every step, so __syncthreads() sits inside the
// offset loop, which itself runs inside the chunk loop.  Columns past the end read 0.
#include <hip/hip_runtime.h>

#define SCAN_THREADS 128

// xpiler: launch grid=6,1,1 block=128,1,1
// xpiler: args x=float32[6,777] out=float32[6,777] rows=6 cols=777
__global__ void __launch_bounds__(SCAN_THREADS)
scan_rows_lds(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    __shared__ float buf[2][SCAN_THREADS];

    const int row = blockIdx.x;
    const int t = threadIdx.x;
    const float* xr = x + (size_t)row * cols;
    float* yr = out + (size_t)row * cols;

    float carry = 0.0f;
    for (int c0 = 0; c0 < cols; c0 += SCAN_THREADS) {
        int cur = 0;
        buf[cur][t] = (c0 + t < cols) ? xr[c0 + t] : 0.0f;
        __syncthreads();
        for (int off = 1; off < SCAN_THREADS; off <<= 1) {
            const float v = buf[cur][t] + (t >= off ? buf[cur][t - off] : 0.0f);
            buf[cur ^ 1][t] = v;
            cur ^= 1;
            __syncthreads();
        }
        if (c0 + t < cols)
            yr[c0 + t] = buf[cur][t] + carry;
        carry += buf[cur][SCAN_THREADS - 1];
        __syncthreads();                  // everyone has read buf before the next chunk fills it
    }
}
