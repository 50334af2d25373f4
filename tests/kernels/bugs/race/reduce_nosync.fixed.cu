// reduce_nosync: per-block sums of x[n] with a shared-memory tree reduction, 256 threads.
#include <cuda_runtime.h>

#define BLOCK 256

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1000] partial=float32[4] n=1000
__global__ void reduce_nosync(const float *x, float *partial, int n)
{
    __shared__ float s[BLOCK];
    const int tid = threadIdx.x;
    const int i = blockIdx.x * BLOCK + tid;
    s[tid] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            s[tid] += s[tid + stride];
        __syncthreads();
    }
    if (tid == 0)
        partial[blockIdx.x] = s[0];
}
