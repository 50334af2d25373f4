// add: out[i] = x[i] + y[i], i < n.  x, y, out are flat float32 buffers of n elements.
//
// Grid-stride kernel: the body moves float4 (16-byte) vectors, a scalar loop picks up the
// n % 4 tail.  add_f32 is an extern "C" host wrapper: it takes host pointers, stages them
// on the device, sizes the grid from n and copies the result back.
#include <cuda_runtime.h>
#include <cstdio>

#define ADD_THREADS 256
#define ADD_MAX_BLOCKS 1024

#define CUDA_CHECK(call)                                                              \
    do {                                                                              \
        cudaError_t err_ = (call);                                                    \
        if (err_ != cudaSuccess)                                                      \
            fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(err_)); \
    } while (0)

__global__ void add_kernel(const float* __restrict__ x, const float* __restrict__ y,
                           float* __restrict__ out, int n)
{
    const int stride = blockDim.x * gridDim.x;
    const int tid = blockIdx.x * blockDim.x + threadIdx.x;

    // cudaMalloc returns 256-byte aligned buffers, so the float4 views are aligned.
    const int n4 = n >> 2;
    const float4* x4 = reinterpret_cast<const float4*>(x);
    const float4* y4 = reinterpret_cast<const float4*>(y);
    float4* o4 = reinterpret_cast<float4*>(out);
    for (int i = tid; i < n4; i += stride) {
        const float4 a = x4[i];
        const float4 b = y4[i];
        o4[i] = make_float4(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w);
    }

    // scalar tail: at most 3 elements
    for (int i = (n4 << 2) + tid; i < n; i += stride)
        out[i] = x[i] + y[i];
}

// xpiler: args x=float32[3001] y=float32[3001] out=float32[3001] n=3001
extern "C" void add_f32(const float* x, const float* y, float* out, int n)
{
    const size_t bytes = (size_t)n * sizeof(float);
    float *d_x = NULL, *d_y = NULL, *d_out = NULL;
    CUDA_CHECK(cudaMalloc((void**)&d_x, bytes));
    CUDA_CHECK(cudaMalloc((void**)&d_y, bytes));
    CUDA_CHECK(cudaMalloc((void**)&d_out, bytes));
    CUDA_CHECK(cudaMemcpy(d_x, x, bytes, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(d_y, y, bytes, cudaMemcpyHostToDevice));

    int blocks = ((n >> 2) + ADD_THREADS - 1) / ADD_THREADS;
    blocks = blocks < 1 ? 1 : (blocks > ADD_MAX_BLOCKS ? ADD_MAX_BLOCKS : blocks);
    add_kernel<<<blocks, ADD_THREADS>>>(d_x, d_y, d_out, n);
    CUDA_CHECK(cudaGetLastError());

    CUDA_CHECK(cudaMemcpy(out, d_out, bytes, cudaMemcpyDeviceToHost));
    cudaFree(d_x);
    cudaFree(d_y);
    cudaFree(d_out);
}
