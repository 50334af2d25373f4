// softmax_cols: row-wise softmax, one 64-lane wavefront per row. The wave first stores
// each lane's running maximum in LDS, then lane 0 combines the 64 partial maxima.
#include <hip/hip_runtime.h>
#include <math.h>

#define WAVE 64

// xpiler: launch grid=16,1,1 block=64,1,1
// xpiler: args x=float32[16,40] out=float32[16,40] rows=16 cols=40
__global__ void softmax_cols(const float *x, float *out, int rows, int cols)
{
    __shared__ float red[WAVE];
    const float *row = x + (size_t)blockIdx.x * cols;
    const int lane = threadIdx.x;
    if (lane < cols) {
        float m = -INFINITY;
        for (int c = lane; c < cols; c += WAVE)
            m = fmaxf(m, row[c]);
        red[lane] = m;
    }
    __syncthreads();
    if (lane == 0) {
        float m = red[0];
        for (int k = 1; k < WAVE; ++k)
            m = fmaxf(m, red[k]);
        red[0] = m;
    }
    __syncthreads();
    const float m = red[0];
    float s = 0.0f;
    for (int c = 0; c < cols; ++c)
        s += expf(row[c] - m);
    for (int c = lane; c < cols; c += WAVE)
        out[(size_t)blockIdx.x * cols + c] = expf(row[c] - m) / s;
}
