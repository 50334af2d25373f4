// Instance normalisation over NCHW: every (n, c) plane is normalised by its own mean and
// biased variance, then scaled and shifted per channel,
//   out[n,c,h,w] = (x[n,c,h,w] - mean[n,c]) / sqrt(var[n,c] + eps) * gamma[c] + beta[c].
//
// The naive way, as a first port often looks: one thread per output element, and every
// thread walks its whole plane twice by itself (the mean, then the variance) -- no shared
// memory, no cooperation between threads.  On a 1x3x224x224 image that is 2 * 50176 reads
// per thread, about 15 billion reads in all: the oracle's stress case for heavy kernels
// (tests/kernels/heavy/heavy.toml has that spec; the comment below is a small one).
#include <cuda_runtime.h>
#include <math.h>

// xpiler: launch grid=12,1,1 block=128,1,1
// xpiler: args x=float32[2,3,16,16] gamma=float32[3] beta=float32[3] out=float32[2,3,16,16] N=2 C=3 H=16 W=16 eps=1e-5
__global__ void instance_norm_plane(const float* __restrict__ x, const float* __restrict__ gamma,
                                    const float* __restrict__ beta, float* __restrict__ out,
                                    int N, int C, int H, int W, float eps)
{
    const int plane = H * W;
    const int total = N * C * plane;
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total)
        return;
    const int nc = i / plane;   // the (n, c) plane this element lies in
    const int c = nc % C;
    const float* p = x + (size_t)nc * plane;

    float sum = 0.0f;
    for (int j = 0; j < plane; ++j)
        sum += p[j];
    const float mean = sum / plane;

    float sq = 0.0f;
    for (int j = 0; j < plane; ++j) {
        const float d = p[j] - mean;
        sq += d * d;
    }
    const float var = sq / plane;
    out[i] = (x[i] - mean) * rsqrtf(var + eps) * gamma[c] + beta[c];
}
