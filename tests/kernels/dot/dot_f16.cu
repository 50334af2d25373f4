// dot (half inputs): out[0] = sum_i x[i] * y[i], x and y __half [n], out float [1].
//
// Products and sums are computed in float (half only stores the inputs).  A grid-stride
// loop reads __half2 pairs (the odd last element, if any, goes to thread 0), each warp
// folds its 32 partial sums with a __shfl_xor_sync butterfly, and lane 0 of every warp
// adds the warp's sum to out with a float atomicAdd, so the order of the final additions
// varies from run to run.  dot_f16 is the extern "C" host wrapper; it zeroes out first.
#include <cuda_runtime.h>
#include <cuda_fp16.h>

#define FULL_MASK 0xffffffffu
#define DOT_THREADS 128
#define DOT_BLOCKS 6

__global__ void __launch_bounds__(DOT_THREADS)
dot_f16_kernel(const __half* __restrict__ x, const __half* __restrict__ y,
               float* __restrict__ out, int n)
{
    const int tid = blockIdx.x * blockDim.x + threadIdx.x;
    const int n2 = n / 2;
    const __half2* x2 = reinterpret_cast<const __half2*>(x);
    const __half2* y2 = reinterpret_cast<const __half2*>(y);

    float acc = 0.0f;
    for (int i = tid; i < n2; i += blockDim.x * gridDim.x) {
        const float2 a = __half22float2(x2[i]);
        const float2 b = __half22float2(y2[i]);
        acc = fmaf(a.x, b.x, acc);
        acc = fmaf(a.y, b.y, acc);
    }
    if (tid == 0 && (n & 1))
        acc = fmaf(__half2float(x[n - 1]), __half2float(y[n - 1]), acc);

#pragma unroll
    for (int m = 16; m > 0; m >>= 1)
        acc += __shfl_xor_sync(FULL_MASK, acc, m);
    if ((threadIdx.x & 31) == 0)
        atomicAdd(out, acc);
}

// xpiler: args x=float16[2501] y=float16[2501] out=float32[1] n=2501
extern "C" void dot_f16(const __half* x, const __half* y, float* out, int n)
{
    __half *d_x, *d_y;
    float* d_out;
    cudaMalloc((void**)&d_x, sizeof(__half) * (size_t)n);
    cudaMalloc((void**)&d_y, sizeof(__half) * (size_t)n);
    cudaMalloc((void**)&d_out, sizeof(float));
    cudaMemcpy(d_x, x, sizeof(__half) * (size_t)n, cudaMemcpyHostToDevice);
    cudaMemcpy(d_y, y, sizeof(__half) * (size_t)n, cudaMemcpyHostToDevice);
    cudaMemset(d_out, 0, sizeof(float));

    dot_f16_kernel<<<DOT_BLOCKS, DOT_THREADS>>>(d_x, d_y, d_out, n);

    cudaMemcpy(out, d_out, sizeof(float), cudaMemcpyDeviceToHost);
    cudaFree(d_x);
    cudaFree(d_y);
    cudaFree(d_out);
}
