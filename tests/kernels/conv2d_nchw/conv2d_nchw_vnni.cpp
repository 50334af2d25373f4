// conv2d_nchw_vnni.cpp -- 2-D convolution, NCHW activations, OIHW weights, float32.
// Layout: x [N, C, H, W], w [K, C, KH, KW], out [N, K, OH, OW];
//         OH = (H + 2 pad - KH) / stride + 1, zero padding.
// Vectorised along the output row: 16 consecutive ow per zmm.  For every tap the lanes
// whose input column falls in the padding (or past OW) are switched off in a __mmask16,
// so zero padding costs nothing and no lane reads outside the row:
//   stride 1 -> one masked unaligned load of the input row,
//   stride>1 -> masked vgatherdps with indices iw = ow*stride - pad + kw.
// One (n, k, oh) output row per OpenMP task.
#include <immintrin.h>
#include <stdint.h>

static inline __mmask16 column_mask(int iw0, int step, int W, __mmask16 valid);

// xpiler: args x=float32[2,3,30,30] w=float32[8,3,3,3] out=float32[2,8,30,30] N=2 C=3 H=30 W=30 K=8 KH=3 KW=3 stride=1 pad=1
extern "C" void conv2d_nchw_f32(const float* x, const float* w, float* out,
                                int N, int C, int H, int W, int K, int KH, int KW,
                                int stride, int pad)
{
    const int OH = (H + 2 * pad - KH) / stride + 1;
    const int OW = (W + 2 * pad - KW) / stride + 1;
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);

    #pragma omp parallel for collapse(3) schedule(static)
    for (int n = 0; n < N; ++n)
        for (int k = 0; k < K; ++k)
            for (int oh = 0; oh < OH; ++oh) {
                float* yrow = out + (((int64_t)n * K + k) * OH + oh) * OW;
                for (int ow0 = 0; ow0 < OW; ow0 += 16) {
                    const int left = OW - ow0;
                    const __mmask16 valid = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
                    __m512 acc = _mm512_setzero_ps();

                    for (int c = 0; c < C; ++c) {
                        const float* xc = x + ((int64_t)n * C + c) * H * W;
                        const float* wc = w + ((int64_t)k * C + c) * KH * KW;
                        for (int kh = 0; kh < KH; ++kh) {
                            const int ih = oh * stride - pad + kh;
                            if ((unsigned)ih >= (unsigned)H) continue;      // whole row is padding
                            const float* xrow = xc + (int64_t)ih * W;
                            for (int kw = 0; kw < KW; ++kw) {
                                const int iw0 = ow0 * stride - pad + kw;  // input column of lane 0
                                const __mmask16 m = column_mask(iw0, stride, W, valid);
                                __m512 xv;
                                if (stride == 1) {
                                    xv = _mm512_maskz_loadu_ps(m, xrow + iw0);
                                } else {
                                    const __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(iw0),
                                                                         _mm512_mullo_epi32(lane, _mm512_set1_epi32(stride)));
                                    xv = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, idx, xrow, 4);
                                }
                                acc = _mm512_fmadd_ps(_mm512_set1_ps(wc[kh * KW + kw]), xv, acc);
                            }
                        }
                    }
                    _mm512_mask_storeu_ps(yrow + ow0, valid, acc);
                }
            }
}

// lanes t with 0 <= iw0 + t*step < W, restricted to `valid`
static inline __mmask16 column_mask(int iw0, int step, int W, __mmask16 valid)
{
    const __m512i col = _mm512_add_epi32(_mm512_set1_epi32(iw0),
                                         _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                            _mm512_set1_epi32(step)));
    __mmask16 m = _mm512_mask_cmpge_epi32_mask(valid, col, _mm512_setzero_si512());
    return _mm512_mask_cmplt_epi32_mask(m, col, _mm512_set1_epi32(W));
}
