// rmsnorm: y = x / sqrt(mean(x^2) + eps) * weight over the last axis of
// x[rows, cols] (float32, row-major).
//
// One workgroup per row.  The sum of squares is reduced with a classic LDS
// tree in dynamically sized shared memory: blockDim.x floats, so the launch
// passes shared = blockDim.x * 4 bytes.  blockDim.x must be a power of two.
#include <hip/hip_runtime.h>

// xpiler: launch grid=33,1,1 block=128,1,1 shared=512
// xpiler: args x=float32[33,300] weight=float32[300] out=float32[33,300] rows=33 cols=300 eps=1e-5
__global__ void rmsnorm_rows(const float* __restrict__ x, const float* __restrict__ weight,
                             float* __restrict__ out, int rows, int cols, float eps)
{
    extern __shared__ float s_sq[];

    const unsigned tid = threadIdx.x;
    const unsigned row = blockIdx.x;
    const float* xr = x + (size_t)row * cols;

    float acc = 0.0f;
    for (int c = tid; c < cols; c += blockDim.x) {
        float v = xr[c];
        acc = fmaf(v, v, acc);
    }
    s_sq[tid] = acc;
    __syncthreads();

    for (unsigned s = blockDim.x >> 1; s > 0; s >>= 1) {
        if (tid < s)
            s_sq[tid] += s_sq[tid + s];
        __syncthreads();
    }

    const float scale = rsqrtf(s_sq[0] / (float)cols + eps);
    float* yr = out + (size_t)row * cols;
    for (int c = tid; c < cols; c += blockDim.x)
        yr[c] = xr[c] * scale * weight[c];
}
