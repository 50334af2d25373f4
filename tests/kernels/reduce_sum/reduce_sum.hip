// reduce_sum: out[r] = sum_c x[r, c], x[rows, cols] float32, row-major.
//
// Split-row reduction with atomics: grid (ceil(cols / CHUNK), rows).  Each
// 256-thread workgroup sums CHUNK = 1024 elements of one row (four per
// lane), reduces inside each wave64 with __shfl_down, combines the four
// wave totals through LDS and adds its partial to out[r] with one
// atomicAdd.  reduce_sum_host zeroes out on the device before the launch.
#include <hip/hip_runtime.h>

#define RS_THREADS 256
#define RS_PER_THREAD 4
#define RS_CHUNK (RS_THREADS * RS_PER_THREAD)

__global__ void __launch_bounds__(RS_THREADS)
reduce_sum_atomic(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    __shared__ float wave_part[RS_THREADS / 64];

    const int row = blockIdx.y;
    const int c0  = blockIdx.x * RS_CHUNK;
    const float* xr = x + (size_t)row * cols;

    float v = 0.0f;
#pragma unroll
    for (int u = 0; u < RS_PER_THREAD; ++u) {
        int c = c0 + u * RS_THREADS + threadIdx.x;
        if (c < cols) v += xr[c];
    }

    // wave64 reduction; lane 0 ends up with the wave's total
    for (int off = 32; off > 0; off >>= 1)
        v += __shfl_down(v, off, 64);

    const int lane = threadIdx.x & 63, wave = threadIdx.x >> 6;
    if (lane == 0) wave_part[wave] = v;
    __syncthreads();

    if (threadIdx.x == 0) {
        float total = wave_part[0] + wave_part[1] + wave_part[2] + wave_part[3];
        atomicAdd(&out[row], total);
    }
}

// xpiler: args x=float32[40,3000] out=float32[40] rows=40 cols=3000
extern "C" void reduce_sum_host(const float* x, float* out, int rows, int cols)
{
    float *dx = nullptr, *dout = nullptr;
    hipMalloc((void**)&dx, sizeof(float) * (size_t)rows * cols);
    hipMalloc((void**)&dout, sizeof(float) * rows);
    hipMemcpy(dx, x, sizeof(float) * (size_t)rows * cols, hipMemcpyHostToDevice);
    hipMemset(dout, 0, sizeof(float) * rows);          // atomics accumulate into zero

    dim3 grid((cols + RS_CHUNK - 1) / RS_CHUNK, rows);
    hipLaunchKernelGGL(reduce_sum_atomic, grid, dim3(RS_THREADS), 0, 0, dx, dout, rows, cols);

    hipMemcpy(out, dout, sizeof(float) * rows, hipMemcpyDeviceToHost);
    hipFree(dx);
    hipFree(dout);
}
