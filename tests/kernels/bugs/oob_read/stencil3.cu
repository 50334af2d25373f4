// stencil3: y[i] = w0 * x[i-1] + w1 * x[i] + w2 * x[i+1] with zero boundary values.
// One thread per output point; the left neighbour is guarded, the right one is not.
#include <cuda_runtime.h>

// xpiler: launch grid=4,1,1 block=256,1,1
// xpiler: args x=float32[1000] y=float32[1000] w0=0.25 w1=0.5 w2=0.25 n=1000
__global__ void stencil3(const float *x, float *y, float w0, float w1, float w2, int n)
{
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    const float left = i > 0 ? x[i - 1] : 0.0f;
    const float right = x[i + 1];
    y[i] = w0 * left + w1 * x[i] + w2 * right;
}
