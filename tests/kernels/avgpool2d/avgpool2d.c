/*
 * avgpool2d.c -- 2-D average pooling, NHWC, no padding.
 * Layout: x is [N, H, W, C], out is [N, OH, OW, C] with
 *   OH = (H - kh) / stride + 1,  OW = (W - kw) / stride + 1.
 * Every window lies fully inside the input, so the divisor is always kh * kw.
 */

#define IDX4(n, h, w, c, D1, D2, D3) ((((n) * (D1) + (h)) * (D2) + (w)) * (D3) + (c))

// xpiler: args x=float32[2,17,15,7] out=float32[2,8,7,7] N=2 H=17 W=15 C=7 kh=3 kw=3 stride=2
void avgpool2d_f32(const float *restrict x, float *restrict out,
                   int N, int H, int W, int C, int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const float inv_area = 1.0f / (float)(kh * kw);

    for (int n = 0; n < N; ++n)
        for (int oh = 0; oh < OH; ++oh)
            for (int ow = 0; ow < OW; ++ow)
                for (int c = 0; c < C; ++c) {
                    float sum = 0.0f;
                    for (int i = 0; i < kh; ++i)
                        for (int j = 0; j < kw; ++j)
                            sum += x[IDX4(n, oh * stride + i, ow * stride + j, c, H, W, C)];
                    out[IDX4(n, oh, ow, c, OH, OW, C)] = sum * inv_area;
                }
}
