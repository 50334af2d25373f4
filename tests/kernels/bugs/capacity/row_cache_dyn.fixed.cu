// row_cache_dyn: row-wise softmax of x[rows, cols] with the row cached in dynamic shared
// memory (read from global memory once). One block per row; the host sizes the cache from
// cols: 16384 floats are 64 KB, past the 48 KB a launch gets without opting in.
#include <cuda_runtime.h>
#include <math.h>

__global__ void row_cache_softmax(const float *x, float *out, int cols)
{
    extern __shared__ float row[];
    const float *src = x + (size_t)blockIdx.x * cols;
    float m = -INFINITY;
    for (int c = threadIdx.x; c < cols; c += blockDim.x) {
        row[c] = src[c];
        m = fmaxf(m, row[c]);
    }
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 16));
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 8));
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 4));
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 2));
    m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, 1));
    float s = 0.0f;
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        s += expf(row[c] - m);
    s += __shfl_xor_sync(0xffffffffu, s, 16);
    s += __shfl_xor_sync(0xffffffffu, s, 8);
    s += __shfl_xor_sync(0xffffffffu, s, 4);
    s += __shfl_xor_sync(0xffffffffu, s, 2);
    s += __shfl_xor_sync(0xffffffffu, s, 1);
    for (int c = threadIdx.x; c < cols; c += blockDim.x)
        out[(size_t)blockIdx.x * cols + c] = expf(row[c] - m) / s;
}

// xpiler: args x=float32[4,16384] out=float32[4,16384] rows=4 cols=16384
extern "C" void row_cache_dyn(const float *x, float *out, int rows, int cols)
{
    const size_t bytes = (size_t)rows * cols * sizeof(float);
    float *d_x = NULL, *d_out = NULL;
    cudaMalloc((void **)&d_x, bytes);
    cudaMalloc((void **)&d_out, bytes);
    cudaMemcpy(d_x, x, bytes, cudaMemcpyHostToDevice);
    const int smem = cols * (int)sizeof(float);
    cudaFuncSetAttribute(row_cache_softmax, cudaFuncAttributeMaxDynamicSharedMemorySize, smem);
    row_cache_softmax<<<rows, 32, smem>>>(d_x, d_out, cols);
    cudaMemcpy(out, d_out, bytes, cudaMemcpyDeviceToHost);
    cudaFree(d_x);
    cudaFree(d_out);
}
