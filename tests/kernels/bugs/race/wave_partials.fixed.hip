// wave_partials: sum of squares per workgroup (a norm's first pass). Each 64-lane wave
// reduces with shuffles, lane 0 of every wave parks its partial in LDS, and wave 0 adds
// the four partials.
#include <hip/hip_runtime.h>

#define BLOCK 256
#define WAVE 64

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1024] partial=float32[4] n=1024
__global__ void wave_partials(const float *x, float *partial, int n)
{
    __shared__ float wsum[BLOCK / WAVE];
    const int tid = threadIdx.x, lane = tid % WAVE, wave = tid / WAVE;
    const int i = blockIdx.x * BLOCK + tid;
    float v = i < n ? x[i] * x[i] : 0.0f;
    for (int off = WAVE / 2; off > 0; off >>= 1)
        v += __shfl_down(v, off);
    if (lane == 0)
        wsum[wave] = v;
    __syncthreads();
    if (tid == 0) {
        float t = 0.0f;
        for (int w = 0; w < BLOCK / WAVE; ++w)
            t += wsum[w];
        partial[blockIdx.x] = t;
    }
}
