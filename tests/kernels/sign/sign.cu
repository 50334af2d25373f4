// sign: out[i] = -1, 0 or +1 following the sign of x[i] (float32 in, float32 out).
// One thread per element; sign_forward is a host wrapper that owns the device copies.
#include <cuda_runtime.h>

static const int kSignThreads = 128;

__global__ void sign_kernel(const float* __restrict__ x, float* __restrict__ out, int n)
{
    const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (unsigned)n) {
        const float v = x[i];
        out[i] = (float)((v > 0.0f) - (v < 0.0f));
    }
}

// xpiler: args x=float32[1500] out=float32[1500] n=1500
void sign_forward(const float* x, float* out, int n)
{
    float* d_x;
    float* d_out;
    const size_t bytes = sizeof(float) * n;
    cudaMalloc(&d_x, bytes);
    cudaMalloc(&d_out, bytes);
    cudaMemcpy(d_x, x, bytes, cudaMemcpyHostToDevice);

    const dim3 block(kSignThreads);
    const dim3 grid((n + kSignThreads - 1) / kSignThreads);
    sign_kernel<<<grid, block>>>(d_x, d_out, n);

    cudaMemcpy(out, d_out, bytes, cudaMemcpyDeviceToHost);
    cudaFree(d_x);
    cudaFree(d_out);
}
