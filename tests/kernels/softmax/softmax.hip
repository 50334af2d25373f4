// softmax: row-wise softmax over the last axis of x[rows, cols] (float32,
// row-major), out has the same shape.
//
// One workgroup of 256 threads (four wave64s) per row.  Each lane strides
// over the row; the max and the sum are reduced first inside each wavefront
// with __shfl_xor (a butterfly, so every lane ends with the result), then
// across wavefronts through a small LDS array.  exp(x - max) is written to
// out on the second pass and rescaled on the third.
#include <hip/hip_runtime.h>
#include <math.h>

#define SOFTMAX_THREADS 256
#define MAX_WAVES 32   // enough for 1024 threads even with 32-wide waves

__device__ __forceinline__ float wave_max(float v)
{
    for (int off = warpSize / 2; off > 0; off >>= 1)
        v = fmaxf(v, __shfl_xor(v, off));
    return v;
}

__device__ __forceinline__ float wave_sum(float v)
{
    for (int off = warpSize / 2; off > 0; off >>= 1)
        v += __shfl_xor(v, off);
    return v;
}

// xpiler: launch grid=37,1,1 block=256,1,1
// xpiler: args x=float32[37,1000] out=float32[37,1000] rows=37 cols=1000
__global__ void __launch_bounds__(SOFTMAX_THREADS)
softmax_rows(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    __shared__ float s_part[MAX_WAVES];

    const int row = blockIdx.x;
    if (row >= rows) return;                       // uniform for the whole block

    const int tid    = threadIdx.x;
    const int lane   = tid % warpSize;
    const int wave   = tid / warpSize;
    const int nwaves = (blockDim.x + warpSize - 1) / warpSize;

    const float* xr = x + (size_t)row * cols;
    float* yr       = out + (size_t)row * cols;

    // pass 1: row maximum
    float m = -INFINITY;
    for (int c = tid; c < cols; c += blockDim.x)
        m = fmaxf(m, xr[c]);
    m = wave_max(m);
    if (lane == 0) s_part[wave] = m;
    __syncthreads();
    m = s_part[0];
    for (int w = 1; w < nwaves; ++w)
        m = fmaxf(m, s_part[w]);
    __syncthreads();                               // s_part is reused below

    // pass 2: exponentials and their sum
    float s = 0.0f;
    for (int c = tid; c < cols; c += blockDim.x) {
        float e = expf(xr[c] - m);
        yr[c] = e;
        s += e;
    }
    s = wave_sum(s);
    if (lane == 0) s_part[wave] = s;
    __syncthreads();
    s = 0.0f;
    for (int w = 0; w < nwaves; ++w)
        s += s_part[w];

    // pass 3: normalise (each lane rescales exactly the elements it wrote)
    const float inv = 1.0f / s;
    for (int c = tid; c < cols; c += blockDim.x)
        yr[c] *= inv;
}
