// gelu: exact (erf) GELU, out[i] = 0.5 * x * (1 + erf(x / sqrt(2))), float32,
// flat vector of length n.  One element per lane.
#include <hip/hip_runtime.h>
#include <math.h>

#define GELU_THREADS 256

__device__ float gelu_erf(float v);   // defined below the kernel

// xpiler: launch grid=12,1,1 block=256,1,1
// xpiler: args x=float32[3000] out=float32[3000] n=3000
__global__ void __launch_bounds__(GELU_THREADS)
gelu_f32(const float* __restrict__ x, float* __restrict__ out, int n)
{
    int i = blockIdx.x * GELU_THREADS + threadIdx.x;
    if (i >= n) return;
    out[i] = gelu_erf(x[i]);
}

__device__ float gelu_erf(float v)
{
    // M_SQRT1_2 = 1/sqrt(2); erff is the full-precision device erf (2 ulp).
    // The outer product uses unsuffixed literals, so it is computed in double.
    return 0.5 * v * (1.0 + erff(v * (float)M_SQRT1_2));   // evaluated in double, rounded once
}
