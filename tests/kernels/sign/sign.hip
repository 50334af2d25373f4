// sign: out[i] = -1, 0 or +1 according to the sign of x[i] (float32, length n).
// Branch-free: the two comparisons are converted to 0/1 and subtracted.
#include <hip/hip_runtime.h>

// xpiler: launch grid=7,1,1 block=128,1,1
// xpiler: args x=float32[777] out=float32[777] n=777
__global__ void __launch_bounds__(128) sign_f32(const float* __restrict__ x,
                                                float* __restrict__ out, int n)
{
    const int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    if (i < n) {
        const float v = x[i];
        out[i] = (float)((v > 0.0f) - (v < 0.0f));
    }
}
