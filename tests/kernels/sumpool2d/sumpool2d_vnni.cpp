// sumpool2d_vnni.cpp -- sum pooling, NHWC, no padding, float32, AVX-512F.
// Layout: x [N, H, W, C], out [N, OH, OW, C], OH = (H - kh) / stride + 1.
// Whole 16-channel vectors first; the C % 16 leftover channels are summed with scalar
// code (a plain loop is as fast as a masked vector for a handful of channels).
#include <immintrin.h>

// xpiler: args x=float32[3,10,10,33] out=float32[3,3,3,33] N=3 H=10 W=10 C=33 kh=3 kw=3 stride=3
extern "C" void sumpool2d_f32(const float* x, float* out, int N, int H, int W, int C,
                              int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const int cvec = C / 16 * 16;

    #pragma omp parallel for collapse(3)
    for (int n = 0; n < N; ++n)
        for (int oh = 0; oh < OH; ++oh)
            for (int ow = 0; ow < OW; ++ow) {
                const long in0 = (((long)n * H + (long)oh * stride) * W + (long)ow * stride) * C;
                float* y = out + (((long)n * OH + oh) * OW + ow) * C;

                for (int c = 0; c < cvec; c += 16) {
                    __m512 acc = _mm512_setzero_ps();
                    for (int i = 0; i < kh; ++i)
                        for (int j = 0; j < kw; ++j)
                            acc = _mm512_add_ps(acc, _mm512_loadu_ps(x + in0 + ((long)i * W + j) * C + c));
                    _mm512_storeu_ps(y + c, acc);
                }
                for (int c = cvec; c < C; ++c) {
                    float s = 0.0f;
                    for (int i = 0; i < kh; ++i)
                        for (int j = 0; j < kw; ++j)
                            s += x[in0 + ((long)i * W + j) * C + c];
                    y[c] = s;
                }
            }
}
