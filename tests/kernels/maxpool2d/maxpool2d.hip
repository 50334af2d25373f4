// maxpool2d: out[n][oh][ow][c] = max over the kh x kw window, NHWC float32,
// no padding; OH = (H - kh) / stride + 1.
//
// 2-D grid: blockIdx.y is one output row (n*OH + oh), x covers the OW*C
// values of that row in chunks of 128, so consecutive lanes write
// consecutive addresses.
#include <hip/hip_runtime.h>
#include <math.h>

// xpiler: launch grid=2,16,1 block=128,1,1
// xpiler: args x=float32[2,16,16,20] out=float32[2,8,8,20] N=2 H=16 W=16 C=20 kh=2 kw=2 stride=2
__global__ void maxpool2d_nhwc(const float* __restrict__ x, float* __restrict__ out,
                               int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;

    const int t  = blockIdx.x * blockDim.x + threadIdx.x;   // index inside the output row
    const int nr = blockIdx.y;                               // n * OH + oh
    if (t >= OW * C || nr >= N * OH) return;

    const int c  = t % C;
    const int ow = t / C;
    const int oh = nr % OH;
    const int n  = nr / OH;

    float m = -INFINITY;
    for (int i = 0; i < kh; ++i) {
        const float* xrow = x + (((size_t)n * H + oh * stride + i) * W + ow * stride) * C + c;
        for (int j = 0; j < kw; ++j)
            m = fmaxf(m, xrow[j * C]);
    }
    out[(size_t)nr * OW * C + t] = m;
}
