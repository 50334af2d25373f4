// minpool2d_vnni.cpp -- min pooling, NHWC, no padding, float32.
// Layout: x [N, H, W, C], out [N, OH, OW, C], OH = (H - kh) / stride + 1.
// Written with 256-bit AVX-512VL vectors (8 channels per ymm) and __mmask8 tails: with
// small channel counts this wastes fewer lanes than a zmm.
#include <immintrin.h>
#include <float.h>
#include <stdint.h>

static inline __mmask8 mask8(int n) { return n >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << n) - 1u); }

// xpiler: args x=float32[1,12,17,20] out=float32[1,10,16,20] N=1 H=12 W=17 C=20 kh=3 kw=2 stride=1
extern "C" void minpool2d_f32(const float* x, float* out, int N, int H, int W, int C,
                              int kh, int kw, int stride)
{
    const int OH = (H - kh) / stride + 1;
    const int OW = (W - kw) / stride + 1;
    const __m256 big = _mm256_set1_ps(FLT_MAX);

    for (int n = 0; n < N; ++n) {
        #pragma omp parallel for schedule(static)
        for (int oh = 0; oh < OH; ++oh) {
            for (int ow = 0; ow < OW; ++ow) {
                const float* win = x + (((int64_t)n * H + oh * stride) * W + ow * stride) * C;
                float* y = out + (((int64_t)n * OH + oh) * OW + ow) * C;
                for (int c = 0; c < C; c += 8) {
                    const __mmask8 m = mask8(C - c);
                    __m256 lo = big;
                    for (int i = 0; i < kh; ++i)
                        for (int j = 0; j < kw; ++j)
                            lo = _mm256_min_ps(lo, _mm256_mask_loadu_ps(big, m, win + ((int64_t)i * W + j) * C + c));
                    _mm256_mask_storeu_ps(y + c, m, lo);
                }
            }
        }
    }
}
