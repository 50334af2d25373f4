// softmax (half): out = softmax over the last axis of x[rows, cols], x and out __half.
//
// One wavefront per row, two rows per workgroup of 2 * warpSize threads.  Every loop
// strides by warpSize and every reduction starts at warpSize / 2, so the kernel is
// correct for wave64 and wave32 alike.  Arithmetic is in float: the max and the sum of
// exponentials are all-reduced with __shfl_xor, then each element is rounded to half
// once.  softmax_f16_host queries the wavefront size before choosing the block.
#include <hip/hip_runtime.h>
#include <hip/hip_fp16.h>
#include <math.h>

#define ROWS_PER_BLOCK 2

__global__ void softmax_f16_rows(const __half* __restrict__ x, __half* __restrict__ out, int rows, int cols)
{
    const int lane = threadIdx.x % warpSize;
    const int row = blockIdx.x * ROWS_PER_BLOCK + threadIdx.x / warpSize;
    if (row >= rows)
        return;
    const __half* xr = x + (size_t)row * cols;
    __half* yr = out + (size_t)row * cols;

    float m = -INFINITY;
    for (int c = lane; c < cols; c += warpSize)
        m = fmaxf(m, __half2float(xr[c]));
    for (int off = warpSize / 2; off > 0; off >>= 1)
        m = fmaxf(m, __shfl_xor(m, off));

    float s = 0.0f;
    for (int c = lane; c < cols; c += warpSize)
        s += expf(__half2float(xr[c]) - m);
    for (int off = warpSize / 2; off > 0; off >>= 1)
        s += __shfl_xor(s, off);

    const float inv = 1.0f / s;
    for (int c = lane; c < cols; c += warpSize)
        yr[c] = __float2half(expf(__half2float(xr[c]) - m) * inv);
}

// xpiler: args x=float16[25,130] out=float16[25,130] rows=25 cols=130
extern "C" void softmax_f16_host(const __half* x, __half* out, int rows, int cols)
{
    const size_t bytes = sizeof(__half) * (size_t)rows * cols;
    __half *dx, *dy;
    hipMalloc((void**)&dx, bytes);
    hipMalloc((void**)&dy, bytes);
    hipMemcpy(dx, x, bytes, hipMemcpyHostToDevice);

    int dev = 0, wave = 64;
    hipGetDevice(&dev);
    hipDeviceGetAttribute(&wave, hipDeviceAttributeWarpSize, dev);
    const dim3 block(ROWS_PER_BLOCK * wave);
    const dim3 grid((rows + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK);
    hipLaunchKernelGGL(softmax_f16_rows, grid, block, 0, 0, dx, dy, rows, cols);

    hipMemcpy(out, dy, bytes, hipMemcpyDeviceToHost);
    hipFree(dx);
    hipFree(dy);
}
