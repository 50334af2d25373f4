// scan_inplace: inclusive prefix sum of each 256-element slice of x (Hillis-Steele),
// in LDS. Every step adds the value `off` places to the left.
#include <hip/hip_runtime.h>

#define BLOCK 256

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1024] y=float32[1024] n=1024
__global__ void scan_inplace(const float *x, float *y, int n)
{
    __shared__ float s[BLOCK];
    const int tid = threadIdx.x;
    const int i = blockIdx.x * BLOCK + tid;
    s[tid] = i < n ? x[i] : 0.0f;
    __syncthreads();
    for (int off = 1; off < BLOCK; off <<= 1) {
        const float left = tid >= off ? s[tid - off] : 0.0f;
        __syncthreads();
        s[tid] += left;
        __syncthreads();
    }
    if (i < n)
        y[i] = s[tid];
}
