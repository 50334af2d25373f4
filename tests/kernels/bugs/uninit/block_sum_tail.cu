// block_sum_tail: per-block sums of x[n] with a shared-memory tree reduction. Threads
// past the end of the array must still contribute a zero to the tree.
#include <cuda_runtime.h>

#define BLOCK 128

// xpiler: launch grid=8,1,1 block=128,1,1
// xpiler: args x=float32[1000] partial=float32[8] n=1000
__global__ void block_sum_tail(const float *x, float *partial, int n)
{
    __shared__ float s[BLOCK];
    const int tid = threadIdx.x;
    const int i = blockIdx.x * BLOCK + tid;
    if (i < n)
        s[tid] = x[i];
    __syncthreads();
    for (int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            s[tid] += s[tid + stride];
        __syncthreads();
    }
    if (tid == 0)
        partial[blockIdx.x] = s[0];
}
