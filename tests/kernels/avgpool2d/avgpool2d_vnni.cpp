// avgpool2d_vnni.cpp -- average pooling, NHWC, no padding, float32, AVX-512F.
// Layout: x [N, H, W, C], out [N, OH, OW, C], OH = (H - kh) / stride + 1 (same for W).
// Channels are contiguous, so each output pixel sums kh*kw channel vectors (16 per zmm,
// masked C tail) and multiplies by 1/(kh*kw).
#include <immintrin.h>
#include <stdint.h>

// xpiler: args x=float32[2,15,15,24] out=float32[2,7,7,24] N=2 H=15 W=15 C=24 kh=3 kw=3 stride=2
extern "C" void avgpool2d_f32(const float* x, float* out, int N, int H, int W, int C,
                              int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const __m512 scale = _mm512_set1_ps((float)(1.0 / (kh * kw)));

    #pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; ++n)
        for (int oh = 0; oh < OH; ++oh)
            for (int ow = 0; ow < OW; ++ow) {
                const float* base = x + (((int64_t)n * H + oh * stride) * W + ow * stride) * C;
                float* y = out + (((int64_t)n * OH + oh) * OW + ow) * C;
                for (int c = 0; c < C; c += 16) {
                    const __mmask16 m = (C - c) >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (C - c)) - 1u);
                    __m512 s = _mm512_setzero_ps();
                    for (int i = 0; i < kh; ++i)
                        for (int j = 0; j < kw; ++j)
                            s = _mm512_add_ps(s, _mm512_maskz_loadu_ps(m, base + ((int64_t)i * W + j) * C + c));
                    _mm512_mask_storeu_ps(y + c, m, _mm512_mul_ps(s, scale));
                }
            }
}
