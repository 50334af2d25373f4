// strided_sync_loop: out[j] = sum_i W[j, i] * x[i] (a GEMV, W is [M, K]) with x staged
// through shared memory in chunks of 128, one output row per thread.
#include <cuda_runtime.h>

#define CH 128

// xpiler: launch grid=2,1,1 block=128,1,1
// xpiler: args W=float32[200,300] x=float32[300] out=float32[200] M=200 K=300
__global__ void strided_sync_loop(const float *W, const float *x, float *out, int M, int K)
{
    __shared__ float xs[CH];
    const int j = blockIdx.x * blockDim.x + threadIdx.x;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += CH) {
        const int len = K - k0 < CH ? K - k0 : CH;
        if (threadIdx.x < len)
            xs[threadIdx.x] = x[k0 + threadIdx.x];
        __syncthreads();
        for (int k = 0; k < len && j < M; ++k)
            acc += W[(size_t)j * K + k0 + k] * xs[k];
        __syncthreads();
    }
    if (j < M)
        out[j] = acc;
}
