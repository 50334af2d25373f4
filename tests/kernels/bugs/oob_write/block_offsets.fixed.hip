// block_offsets: first pass of a two-pass exclusive scan. Each 256-thread block sums its
// slice of x in LDS and stores the total as the offset of the *next* block, so that
// offsets[0] = 0 and a second pass can scan offsets[] in place.
#include <hip/hip_runtime.h>

#define BLOCK 256

// xpiler: launch grid=8,1,1 block=256,1,1
// xpiler: args x=int32[2000] offsets=int32[8] n=2000
__global__ void block_offsets(const int *x, int *offsets, int n)
{
    __shared__ int s[BLOCK];
    const int tid = threadIdx.x;
    const int i = blockIdx.x * BLOCK + tid;
    s[tid] = i < n ? x[i] : 0;
    __syncthreads();
    for (int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            s[tid] += s[tid + stride];
        __syncthreads();
    }
    if (tid == 0) {
        if (blockIdx.x == 0)
            offsets[0] = 0;
        if (blockIdx.x + 1 < gridDim.x)
            offsets[blockIdx.x + 1] = s[0];
    }
}
