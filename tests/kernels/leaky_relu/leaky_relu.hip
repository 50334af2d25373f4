// leaky_relu: out[i] = x[i] > 0 ? x[i] : alpha * x[i], float32, flat arrays of n.
//
// One element per thread with a bounds guard; leaky_relu_host launches just enough
// 256-thread workgroups for n (the last one is partly idle) with hipLaunchKernelGGL.
#include <hip/hip_runtime.h>

#define LRELU_THREADS 256

__global__ void __launch_bounds__(LRELU_THREADS)
leaky_relu_kernel(const float* __restrict__ x, float* __restrict__ out, int n, float alpha)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        const float v = x[i];
        out[i] = v > 0.0f ? v : alpha * v;
    }
}

// xpiler: args x=float32[1000] out=float32[1000] n=1000 alpha=0.2
extern "C" void leaky_relu_host(const float* x, float* out, int n, float alpha)
{
    float *dx, *dy;
    hipMalloc((void**)&dx, sizeof(float) * (size_t)n);
    hipMalloc((void**)&dy, sizeof(float) * (size_t)n);
    hipMemcpy(dx, x, sizeof(float) * (size_t)n, hipMemcpyHostToDevice);

    const int blocks = (n + LRELU_THREADS - 1) / LRELU_THREADS;
    hipLaunchKernelGGL(leaky_relu_kernel, dim3(blocks), dim3(LRELU_THREADS), 0, 0, dx, dy, n, alpha);

    hipMemcpy(out, dy, sizeof(float) * (size_t)n, hipMemcpyDeviceToHost);
    hipFree(dx);
    hipFree(dy);
}
