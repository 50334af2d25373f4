// rownorm_guard: RMS-normalise each row of x[rows, cols], one workgroup of 4 waves per
// 4 rows (a wave per row). The sum of squares of each row goes through LDS.
#include <hip/hip_runtime.h>
#include <math.h>

#define WAVE 64
#define ROWS_PER_WG 4

// xpiler: launch grid=3,1,1 block=64,4,1
// xpiler: args x=float32[10,64] out=float32[10,64] rows=10 cols=64 eps=1e-5
__global__ void rownorm_guard(const float *x, float *out, int rows, int cols, float eps)
{
    __shared__ float sq[ROWS_PER_WG][WAVE];
    const int lane = threadIdx.x, w = threadIdx.y;
    const int r = blockIdx.x * ROWS_PER_WG + w;
    const float v = r < rows && lane < cols ? x[(size_t)r * cols + lane] : 0.0f;
    sq[w][lane] = v * v;
    __syncthreads();
    if (r < rows) {
        float s = 0.0f;
        for (int k = 0; k < WAVE; ++k)
            s += sq[w][k];
        if (lane < cols)
            out[(size_t)r * cols + lane] = v / sqrtf(s / cols + eps);
    }
}
