// sum_two_loads: partial sums of x, one per workgroup. Each thread adds two elements
// (i and i + blockDim.x) while loading, halving the number of workgroups, and the
// workgroup then reduces its 256 values in LDS.
#include <hip/hip_runtime.h>

#define BLOCK 256

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1800] partial=float32[4] n=1800
__global__ void sum_two_loads(const float *x, float *partial, int n)
{
    __shared__ float s[BLOCK];
    const int tid = threadIdx.x;
    const int i = blockIdx.x * (BLOCK * 2) + tid;
    float v = 0.0f;
    if (i < n)
        v = x[i] + x[i + BLOCK];
    s[tid] = v;
    __syncthreads();
    for (int stride = BLOCK / 2; stride > 0; stride >>= 1) {
        if (tid < stride)
            s[tid] += s[tid + stride];
        __syncthreads();
    }
    if (tid == 0)
        partial[blockIdx.x] = s[0];
}
