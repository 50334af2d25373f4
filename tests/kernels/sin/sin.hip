// sin: out[i] = sin(x[i]), float32, flat vector of length n.
// sin_host is the host entry point: device copies, a 64-thread-per-block
// launch (one wavefront per workgroup) and the copy back.
#include <hip/hip_runtime.h>
#include <cmath>

static const int SIN_WAVE_BLOCK = 64;

__global__ void sin_f32(const float* __restrict__ x, float* __restrict__ out, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = sinf(x[i]);
}

// xpiler: args x=float32[2500] out=float32[2500] n=2500
extern "C" void sin_host(const float* x, float* out, int n)
{
    float* dx   = nullptr;
    float* dout = nullptr;
    const size_t bytes = static_cast<size_t>(n) * sizeof(float);
    hipMalloc(reinterpret_cast<void**>(&dx), bytes);
    hipMalloc(reinterpret_cast<void**>(&dout), bytes);
    hipMemcpy(dx, x, bytes, hipMemcpyHostToDevice);

    const unsigned blocks = (unsigned)((n + SIN_WAVE_BLOCK - 1) / SIN_WAVE_BLOCK);
    hipLaunchKernelGGL(sin_f32, dim3(blocks), dim3(SIN_WAVE_BLOCK), 0, 0, dx, dout, n);
    hipDeviceSynchronize();

    hipMemcpy(out, dout, bytes, hipMemcpyDeviceToHost);
    hipFree(dx);
    hipFree(dout);
}
