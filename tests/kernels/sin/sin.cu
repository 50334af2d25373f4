// sin: out[i] = sin(x[i]), i < n (float32).
// The kernel is simply called `sin`; it is a __global__ overload that does not collide
// with the math library's sin(double), and it uses sinf (full accuracy, not __sinf).
#include <cuda_runtime.h>
#include <math.h>

// xpiler: launch grid=9,1,1 block=192,1,1
// xpiler: args x=float32[1700] out=float32[1700] n=1700
__global__ void sin(const float* __restrict__ x, float* __restrict__ out, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        out[i] = sinf(x[i]);
}
