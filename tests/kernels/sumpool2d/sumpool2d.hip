// sumpool2d: out[n][oh][ow][c] = sum over the kh x kw window, NHWC float32,
// no padding; OH = (H - kh) / stride + 1.  One output element per lane,
// one wavefront per workgroup.
#include <hip/hip_runtime.h>
#include <stdint.h>

// xpiler: launch grid=24,1,1 block=64,1,1
// xpiler: args x=float32[2,10,14,7] out=float32[2,9,12,7] N=2 H=10 W=14 C=7 kh=2 kw=3 stride=1
extern "C" __global__ void sumpool2d_nhwc(const float* __restrict__ x, float* __restrict__ out,
                                          int N, int H, int W, int C, int kh, int kw, int stride)
{
    const uint32_t OH = (uint32_t)((H - kh) / stride + 1);
    const uint32_t OW = (uint32_t)((W - kw) / stride + 1);
    const uint32_t idx = blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= (uint32_t)N * OH * OW * (uint32_t)C) return;

    uint32_t rem = idx;
    const uint32_t c  = rem % C;  rem /= C;
    const uint32_t ow = rem % OW; rem /= OW;
    const uint32_t oh = rem % OH;
    const uint32_t n  = rem / OH;

    float s = 0.0f;
    for (int i = 0; i < kh; ++i) {
        const uint32_t ih = oh * stride + i;
        for (int j = 0; j < kw; ++j) {
            const uint32_t iw = ow * stride + j;
            s += x[((n * H + ih) * W + iw) * C + c];
        }
    }
    out[idx] = s;
}
