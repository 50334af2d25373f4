// batchnorm (inference): y = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]
// for x[N, C, HW] (NCHW with H*W flattened), float32.
//
// 3-D grid: x covers the HW plane in 64-lane chunks, y is the channel and z
// the image, so every lane of a workgroup shares one channel and the
// per-channel scale/shift are wave-uniform (scalar loads).
#include <hip/hip_runtime.h>

// xpiler: launch grid=3,12,2 block=64,1,1
// xpiler: args x=float32[2,12,150] mean=float32[12] var=float32[12] gamma=float32[12] beta=float32[12] out=float32[2,12,150] N=2 C=12 HW=150 eps=1e-5
__global__ void __launch_bounds__(64)
batchnorm_nchw(const float* __restrict__ x, const float* __restrict__ mean,
               const float* __restrict__ var, const float* __restrict__ gamma,
               const float* __restrict__ beta, float* __restrict__ out,
               int N, int C, int HW, float eps)
{
    const int hw = blockIdx.x * blockDim.x + threadIdx.x;
    const int c  = blockIdx.y;
    const int n  = blockIdx.z;
    if (hw >= HW || c >= C || n >= N) return;

    const float scale = gamma[c] / sqrtf(var[c] + eps);
    const float shift = beta[c] - mean[c] * scale;
    const size_t idx  = ((size_t)n * C + c) * HW + hw;
    out[idx] = fmaf(x[idx], scale, shift);
}
