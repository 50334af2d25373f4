// conv2d_nhwc_vnni.cpp -- 2-D convolution, NHWC activations, OHWI weights, float32.
// Layout: x [N, H, W, C], w [K, KH, KW, C], out [N, OH, OW, K];
//         OH = (H + 2 pad - KH) / stride + 1, zero padding, same stride in both axes.
// The filter is first repacked into a 64-byte aligned [KH][KW][C][Kp] buffer (Kp = K
// rounded up to 32, zero filled) so that for each input element the K output channels
// are contiguous: the inner loop is broadcast(x) * aligned_load(w) FMAs into two zmm
// accumulators holding 32 output channels of one output pixel.  Padding taps are
// skipped; the K tail is masked on the store.  Output pixels are split over threads.
#include <immintrin.h>
#include <cstring>
#include <cstdint>

namespace {
constexpr int KB = 32;   // output channels per pass (two zmm)

inline __mmask16 mask_for(int left)
{
    return left >= 16 ? __mmask16(0xFFFF) : left <= 0 ? __mmask16(0) : __mmask16((1u << left) - 1u);
}
}

// xpiler: args x=float32[2,13,13,19] w=float32[24,3,3,19] out=float32[2,7,7,24] N=2 H=13 W=13 C=19 K=24 KH=3 KW=3 stride=2 pad=1
extern "C" void conv2d_nhwc_f32(const float* x, const float* w, float* out,
                                int N, int H, int W, int C, int K, int KH, int KW,
                                int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const int Kp = (K + KB - 1) / KB * KB;

    // ---- repack OHWI -> HWIO (output channel innermost), zero padded to Kp
    const size_t wsize = (size_t)KH * KW * C * Kp;
    float* wt = static_cast<float*>(_mm_malloc(wsize * sizeof(float), 64));
    std::memset(wt, 0, wsize * sizeof(float));
    for (int k = 0; k < K; ++k)
        for (int t = 0; t < KH * KW; ++t)
            for (int c = 0; c < C; ++c)
                wt[((size_t)t * C + c) * Kp + k] = w[((size_t)k * KH * KW + t) * C + c];

    const int npix = N * OH * OW;
    #pragma omp parallel for schedule(static)
    for (int p = 0; p < npix; ++p) {
        const int n = p / (OH * OW);
        const int oh = (p / OW) % OH;
        const int ow = p % OW;
        float* y = out + (size_t)p * K;

        for (int k0 = 0; k0 < Kp; k0 += KB) {
            __m512 acc0 = _mm512_setzero_ps();
            __m512 acc1 = _mm512_setzero_ps();
            for (int kh = 0; kh < KH; ++kh) {
                const int ih = oh * stride - pad + kh;
                if (ih < 0 || ih >= H) continue;
                for (int kw = 0; kw < KW; ++kw) {
                    const int iw = ow * stride - pad + kw;
                    if (iw < 0 || iw >= W) continue;
                    const float* xp = x + (((size_t)n * H + ih) * W + iw) * C;
                    const float* wp = wt + (size_t)(kh * KW + kw) * C * Kp + k0;
                    for (int c = 0; c < C; ++c, wp += Kp) {
                        const __m512 xv = _mm512_set1_ps(xp[c]);
                        acc0 = _mm512_fmadd_ps(xv, _mm512_load_ps(wp), acc0);        // aligned: Kp % 32 == 0
                        acc1 = _mm512_fmadd_ps(xv, _mm512_load_ps(wp + 16), acc1);
                    }
                }
            }
            _mm512_mask_storeu_ps(y + k0, mask_for(K - k0), acc0);
            _mm512_mask_storeu_ps(y + k0 + 16, mask_for(K - k0 - 16), acc1);
        }
    }

    _mm_free(wt);
}
