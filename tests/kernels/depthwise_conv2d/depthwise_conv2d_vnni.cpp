// depthwise_conv2d_vnni.cpp -- depthwise 2-D convolution, NHWC, float32, AVX-512F.
// Layout: x [N, H, W, C], w [KH, KW, C], out [N, OH, OW, C]; zero padding `pad`,
//         OH = (H + 2 pad - KH) / stride + 1.  Each channel has its own KHxKW filter.
// Channels are the contiguous axis in both x and w, so the vector runs along C:
// 16 channels per zmm, the C % 16 tail masked.  For each 16-channel block the filter
// taps are staged once into a 64-byte aligned stack buffer (zero in the dead lanes) and
// re-read with aligned loads for every output pixel of the row; filters with more than
// MAX_TAPS taps read w directly.  Padding taps are skipped entirely.
#include <immintrin.h>
#include <stdint.h>

#define CH 16
#define MAX_TAPS 49     /* up to 7x7 staged */

// xpiler: args x=float32[2,21,21,40] w=float32[3,3,40] out=float32[2,11,11,40] N=2 H=21 W=21 C=40 KH=3 KW=3 stride=2 pad=1
extern "C" void depthwise_conv2d_f32(const float* x, const float* w, float* out,
                                     int N, int H, int W, int C, int KH, int KW,
                                     int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const int staged = KH * KW <= MAX_TAPS;

    #pragma omp parallel for collapse(2)
    for (int n = 0; n < N; n++) {
        for (int oh = 0; oh < OH; oh++) {
            alignas(64) float wk[MAX_TAPS * CH];
            const int ih0 = oh * stride - pad;
            const int kh_lo = ih0 < 0 ? -ih0 : 0;
            const int kh_hi = ih0 + KH > H ? H - ih0 : KH;

            for (int c = 0; c < C; c += CH) {
                const int left = C - c;
                const __mmask16 m = left >= CH ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
                if (staged)
                    for (int t = 0; t < KH * KW; t++)
                        _mm512_store_ps(wk + t * CH, _mm512_maskz_loadu_ps(m, w + (int64_t)t * C + c));

                for (int ow = 0; ow < OW; ow++) {
                    const int iw0 = ow * stride - pad;
                    const int kw_lo = iw0 < 0 ? -iw0 : 0;
                    const int kw_hi = iw0 + KW > W ? W - iw0 : KW;
                    __m512 acc = _mm512_setzero_ps();
                    for (int kh = kh_lo; kh < kh_hi; kh++) {
                        const float* xr = x + (((int64_t)n * H + ih0 + kh) * W + iw0) * C + c;
                        for (int kw = kw_lo; kw < kw_hi; kw++) {
                            const __m512 wv = staged ? _mm512_load_ps(wk + (kh * KW + kw) * CH)
                                                     : _mm512_maskz_loadu_ps(m, w + ((int64_t)kh * KW + kw) * C + c);
                            acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, xr + (int64_t)kw * C), wv, acc);
                        }
                    }
                    _mm512_mask_storeu_ps(out + (((int64_t)n * OH + oh) * OW + ow) * C + c, m, acc);
                }
            }
        }
    }
}
