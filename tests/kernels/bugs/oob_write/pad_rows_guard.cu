// pad_rows: copy x[rows, cols] into out[rows, ld] and zero the padding columns
// cols..ld-1 (ld rounded up to 32 floats so later tiles load whole 128-byte rows).
#include <cuda_runtime.h>

// xpiler: launch grid=3,10,1 block=32,8,1
// xpiler: args x=float32[75,50] out=float32[75,64] rows=75 cols=50 ld=64
__global__ void pad_rows(const float *x, float *out, int rows, int cols, int ld)
{
    const int c = blockIdx.x * blockDim.x + threadIdx.x;
    const int r = blockIdx.y * blockDim.y + threadIdx.y;
    if (r >= rows || c > ld)
        return;
    float v = 0.0f;
    if (c < cols)
        v = x[(size_t)r * cols + c];
    out[(size_t)r * ld + c] = v;
}
