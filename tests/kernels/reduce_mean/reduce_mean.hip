// reduce_mean: out[r] = mean_c x[r, c], x[rows, cols] float32, row-major.
//
// One wave64 per row (four rows per 256-thread workgroup), reduced with a
// __shfl_xor butterfly, so no LDS and no barrier are needed.
#include <hip/hip_runtime.h>

namespace {
constexpr int kWave = 64;
constexpr int kRowsPerBlock = 4;

__device__ inline float wave_reduce_add(float v)
{
#pragma unroll
    for (int m = kWave / 2; m > 0; m /= 2)
        v += __shfl_xor(v, m);
    return v;
}
}  // namespace

// xpiler: launch grid=25,1,1 block=256,1,1
// xpiler: args x=float32[100,200] out=float32[100] rows=100 cols=200
__global__ void __launch_bounds__(kWave * kRowsPerBlock)
reduce_mean_rows(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    const int lane = threadIdx.x % kWave;
    const int row  = blockIdx.x * kRowsPerBlock + threadIdx.x / kWave;
    if (row >= rows) return;

    const float* xr = x + static_cast<size_t>(row) * cols;
    float s = 0.0f;
    for (int c = lane; c < cols; c += kWave)
        s += xr[c];
    s = wave_reduce_add(s);
    if (lane == 0)
        out[row] = s / static_cast<float>(cols);
}
