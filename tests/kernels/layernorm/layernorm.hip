// layernorm: y = (x - mean) / sqrt(var + eps) * gamma + beta over the last
// axis of x[rows, cols] (float32, row-major; biased variance, as PyTorch).
//
// One wavefront per row, four rows per 256-thread workgroup.  The row is
// read twice (two-pass mean / variance, which is better conditioned than
// E[x^2] - E[x]^2).  Wave reductions use __shfl_down and the total is
// broadcast from lane 0 with __shfl.  No LDS and no block barrier, so a
// wavefront whose row is past the end simply leaves.
#include <hip/hip_runtime.h>

#define LN_WAVES_PER_BLOCK 4

template <typename T>
__device__ inline T wave_allreduce_sum(T v)
{
    for (int offset = warpSize >> 1; offset > 0; offset >>= 1)
        v += __shfl_down(v, offset);
    return __shfl(v, 0);              // lane 0 holds the full sum
}

__global__ void layernorm_rows(const float* __restrict__ x, const float* __restrict__ gamma,
                               const float* __restrict__ beta, float* __restrict__ out,
                               int rows, int cols, float eps)
{
    const int lane = threadIdx.x % warpSize;
    const int row  = blockIdx.x * LN_WAVES_PER_BLOCK + threadIdx.x / warpSize;
    if (row >= rows) return;          // wave-uniform

    const float* xr = x + (long)row * cols;
    float* yr       = out + (long)row * cols;

    float acc = 0.0f;
    for (int c = lane; c < cols; c += warpSize)
        acc += xr[c];
    const float mean = wave_allreduce_sum(acc) / cols;

    float sq = 0.0f;
    for (int c = lane; c < cols; c += warpSize) {
        float d = xr[c] - mean;
        sq += d * d;
    }
    const float rstd = rsqrtf(wave_allreduce_sum(sq) / cols + eps);

    for (int c = lane; c < cols; c += warpSize)
        yr[c] = (xr[c] - mean) * rstd * gamma[c] + beta[c];
}

// xpiler: args x=float32[50,77] gamma=float32[77] beta=float32[77] out=float32[50,77] rows=50 cols=77 eps=1e-5
extern "C" void layernorm_host(const float* x, const float* gamma, const float* beta,
                               float* out, int rows, int cols, float eps)
{
    const size_t nbytes = (size_t)rows * cols * sizeof(float);
    const size_t pbytes = (size_t)cols * sizeof(float);
    float *dx, *dg, *db, *dy;
    hipMalloc((void**)&dx, nbytes);
    hipMalloc((void**)&dg, pbytes);
    hipMalloc((void**)&db, pbytes);
    hipMalloc((void**)&dy, nbytes);
    hipMemcpy(dx, x, nbytes, hipMemcpyHostToDevice);
    hipMemcpy(dg, gamma, pbytes, hipMemcpyHostToDevice);
    hipMemcpy(db, beta, pbytes, hipMemcpyHostToDevice);

    // Query the wavefront width instead of assuming 64 (gfx10+ runs wave32).
    int dev = 0, wave = 64;
    hipGetDevice(&dev);
    hipDeviceGetAttribute(&wave, hipDeviceAttributeWarpSize, dev);

    dim3 block(LN_WAVES_PER_BLOCK * wave);
    dim3 grid((rows + LN_WAVES_PER_BLOCK - 1) / LN_WAVES_PER_BLOCK);
    hipLaunchKernelGGL(layernorm_rows, grid, block, 0, 0, dx, dg, db, dy, rows, cols, eps);

    hipMemcpy(out, dy, nbytes, hipMemcpyDeviceToHost);
    hipFree(dx);
    hipFree(dg);
    hipFree(db);
    hipFree(dy);
}
