// minpool2d: out[n][oh][ow][c] = min over the kh x kw window, NHWC float32,
// no padding; OH = (H - kh) / stride + 1.
//
// Workgroup of 32 x 8 lanes: x runs over channels, y over eight output
// pixels.  grid.x covers the channels in groups of 32 and grid.y the
// N*OH*OW pixels in groups of 8.
#include <hip/hip_runtime.h>
#include <float.h>

#define CH_PER_BLOCK  32
#define PIX_PER_BLOCK 8

__device__ static float window_min(const float* p, int kh, int kw, int rowStride, int colStride);

// xpiler: launch grid=2,13,1 block=32,8,1
// xpiler: args x=float32[1,12,12,40] out=float32[1,10,10,40] N=1 H=12 W=12 C=40 kh=3 kw=3 stride=1
__global__ void __launch_bounds__(CH_PER_BLOCK * PIX_PER_BLOCK)
minpool2d_nhwc(const float* __restrict__ x, float* __restrict__ out,
               int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;

    const int c   = blockIdx.x * CH_PER_BLOCK + threadIdx.x;
    const int pix = blockIdx.y * PIX_PER_BLOCK + threadIdx.y;
    if (c >= C || pix >= N * OH * OW) return;

    const int ow = pix % OW;
    const int oh = (pix / OW) % OH;
    const int n  = pix / (OW * OH);

    const float* p = x + (((size_t)n * H + oh * stride) * W + ow * stride) * C + c;
    out[(size_t)pix * C + c] = window_min(p, kh, kw, W * C, C);
}

__device__ static float window_min(const float* p, int kh, int kw, int rowStride, int colStride)
{
    float m = FLT_MAX;
    for (int i = 0; i < kh; ++i)
        for (int j = 0; j < kw; ++j)
            m = fminf(m, p[i * rowStride + j * colStride]);
    return m;
}
