// avgpool2d: out[n][oh][ow][c] = mean of the kh x kw window of x[n][oh*stride..][ow*stride..][c]
// NHWC float32, no padding; OH = (H - kh) / stride + 1.
//
// One output element per lane, channel fastest.
#include <hip/hip_runtime.h>

#define POOL_BLOCK 256

// xpiler: launch grid=7,1,1 block=256,1,1
// xpiler: args x=float32[2,17,17,13] out=float32[2,8,8,13] N=2 H=17 W=17 C=13 kh=3 kw=3 stride=2
__global__ void __launch_bounds__(POOL_BLOCK)
avgpool2d_nhwc(const float* __restrict__ x, float* __restrict__ out,
               int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const int total = N * OH * OW * C;
    const int idx = blockIdx.x * POOL_BLOCK + threadIdx.x;
    if (idx >= total) return;

    int c  = idx % C;
    int ow = (idx / C) % OW;
    int oh = (idx / (C * OW)) % OH;
    int n  = idx / (C * OW * OH);

    const float* base = x + (((size_t)n * H + oh * stride) * W + ow * stride) * C + c;
    float sum = 0.0f;
    for (int i = 0; i < kh; ++i)
        for (int j = 0; j < kw; ++j)
            sum += base[((size_t)i * W + j) * C];
    out[idx] = sum * (1.0 / (kh * kw));
}
