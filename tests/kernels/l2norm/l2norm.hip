// l2norm: out[r, :] = x[r, :] / sqrt(sum_c x[r, c]^2 + eps), float32 [rows, cols].
//
// One 256-thread workgroup (four wave64s) per row.  Each wave butterflies its partial
// sum of squares with __shfl_xor over offsets 32, 16, ..., 1, so every lane holds the
// wave total; lane 0 of each wave writes it to LDS, one barrier, and every thread adds
// the four totals itself (no second barrier and no broadcast needed).
#include <hip/hip_runtime.h>

#define L2_THREADS 256
#define L2_WAVES (L2_THREADS / 64)

// xpiler: launch grid=37,1,1 block=256,1,1
// xpiler: args x=float32[37,300] out=float32[37,300] rows=37 cols=300 eps=1e-12
__global__ void __launch_bounds__(L2_THREADS)
l2norm_rows(const float* __restrict__ x, float* __restrict__ out, int rows, int cols, float eps)
{
    __shared__ float wave_ss[L2_WAVES];
    const int row = blockIdx.x;
    const int lane = threadIdx.x & 63;
    const int wave = threadIdx.x >> 6;
    const float* xr = x + (size_t)row * cols;
    float* yr = out + (size_t)row * cols;

    float ss = 0.0f;
    for (int c = threadIdx.x; c < cols; c += L2_THREADS)
        ss = fmaf(xr[c], xr[c], ss);
    for (int off = 32; off > 0; off >>= 1)
        ss += __shfl_xor(ss, off);
    if (lane == 0)
        wave_ss[wave] = ss;
    __syncthreads();

    float total = 0.0f;
    for (int w = 0; w < L2_WAVES; ++w)
        total += wave_ss[w];
    const float inv = rsqrtf(total + eps);
    for (int c = threadIdx.x; c < cols; c += L2_THREADS)
        yr[c] = xr[c] * inv;
}
