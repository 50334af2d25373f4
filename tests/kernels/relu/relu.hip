// relu: out[i] = max(x[i], 0) for a flat float32 vector of length n.
//
// Launched with 100-thread blocks on purpose: each block is one full
// wavefront plus a partial one (36 live lanes), so the bounds check is the
// only thing keeping the tail correct.
#include <hip/hip_runtime.h>

// xpiler: launch grid=13,1,1 block=100,1,1
// xpiler: args x=float32[1234] out=float32[1234] n=1234
extern "C" __global__ void relu_f32(const float* __restrict__ x, float* __restrict__ out, int n)
{
    const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < (unsigned)n) {
        float v = x[i];
        out[i] = v > 0.0f ? v : 0.0f;
    }
}
