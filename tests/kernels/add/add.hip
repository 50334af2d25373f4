// add: out[i] = x[i] + y[i] for flat float32 vectors of length n.
//
// The kernel walks the vectors as float4 (one global_load_dwordx4 per operand
// per lane) with a grid-stride loop, then finishes the n % 4 leftover
// elements with scalar loads.  add_host is the host-side entry point: it owns
// the device buffers and picks the grid from n.
#include <hip/hip_runtime.h>
#include <stdio.h>

#define ADD_BLOCK 256
#define ADD_MAX_GRID 1024

#define HIP_CHECK(expr)                                                        \
    do {                                                                       \
        hipError_t err_ = (expr);                                              \
        if (err_ != hipSuccess)                                                \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,                 \
                    hipGetErrorString(err_));                                  \
    } while (0)

__global__ void __launch_bounds__(ADD_BLOCK)
add_f32(const float* __restrict__ x, const float* __restrict__ y,
        float* __restrict__ out, int n)
{
    const int nvec   = n >> 2;
    const int tid    = blockIdx.x * blockDim.x + threadIdx.x;
    const int stride = gridDim.x * blockDim.x;

    const float4* x4 = reinterpret_cast<const float4*>(x);
    const float4* y4 = reinterpret_cast<const float4*>(y);
    float4* o4       = reinterpret_cast<float4*>(out);

    // HIP's vector types carry arithmetic operators, so a + b adds lane-wise.
    for (int i = tid; i < nvec; i += stride)
        o4[i] = x4[i] + y4[i];

    // Scalar tail: at most three elements, picked up by the first threads.
    for (int i = (nvec << 2) + tid; i < n; i += stride)
        out[i] = x[i] + y[i];
}

// xpiler: args x=float32[3001] y=float32[3001] out=float32[3001] n=3001
extern "C" void add_host(const float* x, const float* y, float* out, int n)
{
    const size_t bytes = (size_t)n * sizeof(float);
    float *dx = nullptr, *dy = nullptr, *dout = nullptr;
    HIP_CHECK(hipMalloc((void**)&dx, bytes));
    HIP_CHECK(hipMalloc((void**)&dy, bytes));
    HIP_CHECK(hipMalloc((void**)&dout, bytes));
    HIP_CHECK(hipMemcpy(dx, x, bytes, hipMemcpyHostToDevice));
    HIP_CHECK(hipMemcpy(dy, y, bytes, hipMemcpyHostToDevice));

    int blocks = ((n >> 2) + ADD_BLOCK - 1) / ADD_BLOCK;
    blocks = blocks < 1 ? 1 : (blocks > ADD_MAX_GRID ? ADD_MAX_GRID : blocks);
    hipLaunchKernelGGL(add_f32, dim3(blocks), dim3(ADD_BLOCK), 0, 0, dx, dy, dout, n);
    HIP_CHECK(hipGetLastError());

    HIP_CHECK(hipMemcpy(out, dout, bytes, hipMemcpyDeviceToHost));
    HIP_CHECK(hipFree(dx));
    HIP_CHECK(hipFree(dy));
    HIP_CHECK(hipFree(dout));
}
