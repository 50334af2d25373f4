// sub: out[i] = x[i] - y[i] for flat float32 vectors of length n.
//
// Grid-stride kernel with 64-bit indexing; sub_host allocates device memory,
// launches a capped grid of 192-thread (three-wavefront) blocks and copies
// the result back.
#include <hip/hip_runtime.h>
#include <cstdint>

constexpr int kSubBlock   = 192;
constexpr int kSubMaxGrid = 16;

__global__ __launch_bounds__(kSubBlock)
void sub_f32(const float* __restrict__ x, const float* __restrict__ y,
             float* __restrict__ out, int64_t n)
{
    const int64_t stride = (int64_t)gridDim.x * blockDim.x;
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride)
        out[i] = x[i] - y[i];
}

// xpiler: args x=float32[5000] y=float32[5000] out=float32[5000] n=5000
void sub_host(const float* x, const float* y, float* out, int n)
{
    size_t bytes = sizeof(float) * static_cast<size_t>(n);
    float* d_x;
    float* d_y;
    float* d_out;
    hipMalloc(&d_x, bytes);
    hipMalloc(&d_y, bytes);
    hipMalloc(&d_out, bytes);
    hipMemcpy(d_x, x, bytes, hipMemcpyHostToDevice);
    hipMemcpy(d_y, y, bytes, hipMemcpyHostToDevice);

    int grid = (n + kSubBlock - 1) / kSubBlock;
    if (grid > kSubMaxGrid) grid = kSubMaxGrid;   // the stride loop covers the rest
    if (grid < 1) grid = 1;
    sub_f32<<<grid, kSubBlock>>>(d_x, d_y, d_out, (int64_t)n);

    hipMemcpy(out, d_out, bytes, hipMemcpyDeviceToHost);
    hipFree(d_x);
    hipFree(d_y);
    hipFree(d_out);
}
