// conv1d_i16_vnni.cpp -- int16 1-D convolution with VNNI word dot products (vpdpwssd).
// Layout: x int16 [N, C_in, L], w int16 [C_out, C_in, KW], out int32 [N, C_out, L-KW+1];
// stride 1, no padding; exact integer arithmetic (the caller keeps sums inside int32).
//
// vpdpwssd adds a[2t]*b[2t] + a[2t+1]*b[2t+1] into int32 lane t.  Here lane t is output
// position l+t and the pair is two neighbouring taps (j, j+1):
//     a = interleave(x[c][l+t+j], x[c][l+t+j+1])      (built with two zero-extensions)
//     b = broadcast(w[o][c][j] | w[o][c][j+1] << 16)
// so one instruction does two taps for 16 outputs.  An odd KW pairs the last tap with 0.
// The weight pairs are packed once up front; the tail block of l is masked.
#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>

#define OB 4    /* output channels per register block */

static inline uint32_t pack_pair(int16_t lo, int16_t hi)
{
    return (uint32_t)(uint16_t)lo | ((uint32_t)(uint16_t)hi << 16);
}

// xpiler: args x=int16[2,6,101] w=int16[10,6,5] out=int32[2,10,97] N=2 C_in=6 L=101 C_out=10 KW=5
extern "C" void conv1d_i16(const int16_t* x, const int16_t* w, int32_t* out,
                           int N, int C_in, int L, int C_out, int KW)
{
    const int Lo = L - KW + 1;
    const int KP = (KW + 1) / 2;                 /* tap pairs */
    const int Cop = (C_out + OB - 1) / OB * OB;  /* padded channel count */

    /* wp[o][c][p]: packed (w[j], w[j+1]) pairs; padded channels are zero */
    uint32_t* wp = (uint32_t*)calloc((size_t)Cop * C_in * KP, sizeof(uint32_t));
    for (int o = 0; o < C_out; ++o)
        for (int c = 0; c < C_in; ++c)
            for (int p = 0; p < KP; ++p) {
                const int16_t* wr = w + ((size_t)o * C_in + c) * KW;
                const int j = 2 * p;
                wp[((size_t)o * C_in + c) * KP + p] = pack_pair(wr[j], j + 1 < KW ? wr[j + 1] : (int16_t)0);
            }

    const int nlb = (Lo + 15) / 16;
    #pragma omp parallel for collapse(2) schedule(static)
    for (int n = 0; n < N; ++n)
        for (int lb = 0; lb < nlb; ++lb) {
            const int l = lb * 16;
            const __mmask16 m = Lo - l >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << (Lo - l)) - 1u);
            const int16_t* xn = x + (size_t)n * C_in * L + l;

            for (int o0 = 0; o0 < C_out; o0 += OB) {
                __m512i acc[OB];
                for (int b = 0; b < OB; ++b) acc[b] = _mm512_setzero_si512();

                for (int c = 0; c < C_in; ++c) {
                    const int16_t* xc = xn + (size_t)c * L;
                    for (int p = 0; p < KP; ++p) {
                        const int j = 2 * p;
                        const __m512i lo = _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, xc + j));
                        const __m512i hi = (j + 1 < KW)
                            ? _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, xc + j + 1))
                            : _mm512_setzero_si512();
                        const __m512i xpair = _mm512_or_si512(lo, _mm512_slli_epi32(hi, 16));
                        for (int b = 0; b < OB; ++b) {
                            const uint32_t wv = wp[((size_t)(o0 + b) * C_in + c) * KP + p];
                            acc[b] = _mm512_dpwssd_epi32(acc[b], xpair, _mm512_set1_epi32((int)wv));
                        }
                    }
                }
                for (int b = 0; b < OB && o0 + b < C_out; ++b)
                    _mm512_mask_storeu_epi32(out + ((size_t)n * C_out + o0 + b) * Lo + l, m, acc[b]);
            }
        }

    free(wp);
}
