/*
 * sumpool2d.c -- 2-D sum pooling, NHWC, no padding.
 * Layout: x is [N, H, W, C], out is [N, OH, OW, C] with
 *   OH = (H - kh) / stride + 1,  OW = (W - kw) / stride + 1.
 */

static inline int out_extent(int in, int k, int stride)
{
    return (in - k) / stride + 1;
}

// xpiler: args x=float32[3,20,22,4] out=float32[3,7,7,4] N=3 H=20 W=22 C=4 kh=2 kw=3 stride=3
void sumpool2d_f32(const float *restrict x, float *restrict out,
                   int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = out_extent(H, kh, stride);
    const int OW = out_extent(W, kw, stride);

    for (int n = 0; n < N; ++n) {
        for (int oh = 0; oh < OH; ++oh) {
            for (int ow = 0; ow < OW; ++ow) {
                for (int c = 0; c < C; ++c) {
                    float acc = 0.0f;
                    for (int i = 0; i < kh; ++i) {
                        const int h = oh * stride + i;
                        for (int j = 0; j < kw; ++j) {
                            const int w = ow * stride + j;
                            acc += x[((n * H + h) * W + w) * C + c];
                        }
                    }
                    out[((n * OH + oh) * OW + ow) * C + c] = acc;
                }
            }
        }
    }
}
