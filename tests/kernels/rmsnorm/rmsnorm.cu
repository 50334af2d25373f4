// rmsnorm over the last axis: out = x / sqrt(mean(x^2) + eps) * weight, x[rows, cols].
//
// One block per row with 200 threads: deliberately NOT a multiple of 32, so the last warp
// is partial (8 lanes).  Warp shuffles would read lanes that do not exist, so the block
// reduction is a shared-memory tree over blockDim.x slots, guarded with tid + s < blockDim.x,
// starting at the power of two just below RMS_POW2.  Every thread reaches every barrier.
#include <cuda_runtime.h>
#include <math.h>

#define RMS_THREADS 200   // block size this kernel is built for
#define RMS_POW2    256   // smallest power of two >= RMS_THREADS

// xpiler: launch grid=40,1,1 block=200,1,1
// xpiler: args x=float32[40,515] weight=float32[515] out=float32[40,515] rows=40 cols=515 eps=1e-5
__global__ void __launch_bounds__(RMS_THREADS)
rmsnorm_kernel(const float* __restrict__ x, const float* __restrict__ weight,
               float* __restrict__ out, int rows, int cols, float eps)
{
    __shared__ float ssq[RMS_THREADS];
    __shared__ float inv_rms;

    const unsigned tid = threadIdx.x;
    const int row = blockIdx.x;
    const float* xr = x + (size_t)row * cols;

    float acc = 0.0f;
    for (int c = tid; c < cols; c += blockDim.x) {
        const float v = xr[c];
        acc = fmaf(v, v, acc);
    }
    ssq[tid] = acc;
    __syncthreads();

    for (unsigned s = RMS_POW2 / 2; s > 0; s >>= 1) {
        if (tid < s && tid + s < blockDim.x)
            ssq[tid] += ssq[tid + s];
        __syncthreads();
    }

    if (tid == 0)
        inv_rms = rsqrtf(ssq[0] / (float)cols + eps);
    __syncthreads();

    const float r = inv_rms;
    float* yr = out + (size_t)row * cols;
    for (int c = tid; c < cols; c += blockDim.x)
        yr[c] = xr[c] * r * weight[c];
}
