// conv2d_nhwc: x[N, H, W, C], w[K, KH, KW, C] (OHWI), out[N, OH, OW, K],
//   OH = (H + 2*pad - KH) / stride + 1, OW likewise; zero padding, no bias.
//
// One thread per output element, K the fastest index (neighbouring threads share the
// input patch and read consecutive filters).  64-bit flat index, bounds guard at the top.
#include <cuda_runtime.h>
#include <stdint.h>

// xpiler: launch grid=21,1,1 block=128,1,1
// xpiler: args x=float32[2,17,17,8] w=float32[16,3,3,8] out=float32[2,9,9,16] N=2 H=17 W=17 C=8 K=16 KH=3 KW=3 stride=2 pad=1
__global__ void conv2d_nhwc_kernel(const float* __restrict__ x, const float* __restrict__ w,
                                   float* __restrict__ out, int N, int H, int W, int C, int K,
                                   int KH, int KW, int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const int64_t total = (int64_t)N * OH * OW * K;
    const int64_t idx = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
    if (idx >= total)
        return;

    const int k = (int)(idx % K);
    int64_t t = idx / K;
    const int ow = (int)(t % OW);
    t /= OW;
    const int oh = (int)(t % OH);
    const int n = (int)(t / OH);

    float acc = 0.0f;
    for (int kh = 0; kh < KH; ++kh) {
        const int ih = oh * stride - pad + kh;
        if (ih < 0 || ih >= H)
            continue;
        for (int kw = 0; kw < KW; ++kw) {
            const int iw = ow * stride - pad + kw;
            if (iw < 0 || iw >= W)
                continue;
            const float* xp = x + (((int64_t)n * H + ih) * W + iw) * C;
            const float* wp = w + (((int64_t)k * KH + kh) * KW + kw) * C;
            for (int c = 0; c < C; ++c)
                acc = fmaf(xp[c], wp[c], acc);
        }
    }
    out[idx] = acc;
}
