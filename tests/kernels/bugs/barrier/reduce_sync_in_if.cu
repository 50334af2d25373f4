// reduce_sync_in_if: per-block maxima of x[n], shared-memory tree reduction.
#include <cuda_runtime.h>
#include <math.h>

#define BLOCK 256

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1024] partial=float32[4] n=1024
__global__ void reduce_sync_in_if(const float *x, float *partial, int n)
{
    __shared__ float s[BLOCK];
    const int tid = threadIdx.x;
    const int i = blockIdx.x * BLOCK + tid;
    s[tid] = i < n ? x[i] : -INFINITY;
    __syncthreads();
    for (int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (tid < stride) {
            s[tid] = fmaxf(s[tid], s[tid + stride]);
            __syncthreads();
        }
    }
    if (tid == 0)
        partial[blockIdx.x] = s[0];
}
