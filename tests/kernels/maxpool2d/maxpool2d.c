/*
 * maxpool2d.c -- 2-D max pooling, NHWC, no padding.
 * Layout: x is [N, H, W, C], out is [N, OH, OW, C] with
 *   OH = (H - kh) / stride + 1,  OW = (W - kw) / stride + 1.
 */
#include <float.h>
#include <stddef.h>

// xpiler: args x=float32[1,24,23,16] out=float32[1,12,11,16] N=1 H=24 W=23 C=16 kh=2 kw=2 stride=2
void maxpool2d_f32(const float *restrict x, float *restrict out,
                   int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;

    for (int n = 0; n < N; ++n) {
        for (int oh = 0; oh < OH; ++oh) {
            for (int ow = 0; ow < OW; ++ow) {
                const size_t obase = (((size_t)n * OH + oh) * OW + ow) * C;
                for (int c = 0; c < C; ++c) {
                    float m = -FLT_MAX;
                    for (int i = 0; i < kh; ++i) {
                        for (int j = 0; j < kw; ++j) {
                            const size_t xi = (((size_t)n * H + oh * stride + i) * W
                                               + ow * stride + j) * C + c;
                            m = x[xi] > m ? x[xi] : m;
                        }
                    }
                    out[obase + c] = m;
                }
            }
        }
    }
}
