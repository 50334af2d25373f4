// histogram_vnni.cpp -- hist[b] = #{ i : x[i] == b } for 0 <= b < bins (int32 counts).
// Layout: x int32 [n], every value in [0, bins); hist int32 [bins], bins <= HIST_MAX_BINS.
// Four private sub-histograms take the elements i mod 4 in turn, so consecutive equal
// values do not serialise on one counter; the copies are cleared and merged with 512-bit
// integer adds, sixteen bins at a time, the last partial group under a lane mask.
#include <immintrin.h>
#include <stdint.h>

#define HIST_MAX_BINS 256
#define HIST_COPIES 4

// xpiler: args x=int32[2999] hist=int32[50] n=2999 bins=50
extern "C" void histogram_i32(const int32_t* __restrict x, int32_t* __restrict hist, int n, int bins)
{
    alignas(64) int32_t part[HIST_COPIES][HIST_MAX_BINS];
    const __m512i zero = _mm512_setzero_si512();
    for (int k = 0; k < HIST_COPIES; ++k)
        for (int b = 0; b < bins; b += 16)
            _mm512_storeu_si512((void*)(&part[k][b]), zero);   // bins <= 256: stays in the row

    int i = 0;
    for (; i + HIST_COPIES <= n; i += HIST_COPIES) {
        part[0][x[i]] += 1;
        part[1][x[i + 1]] += 1;
        part[2][x[i + 2]] += 1;
        part[3][x[i + 3]] += 1;
    }
    for (; i < n; ++i)
        part[0][x[i]] += 1;

    int b = 0;
    for (; b + 16 <= bins; b += 16) {
        __m512i s = _mm512_add_epi32(_mm512_loadu_si512((const void*)(&part[0][b])),
                                     _mm512_loadu_si512((const void*)(&part[1][b])));
        s = _mm512_add_epi32(s, _mm512_loadu_si512((const void*)(&part[2][b])));
        s = _mm512_add_epi32(s, _mm512_loadu_si512((const void*)(&part[3][b])));
        _mm512_storeu_si512((void*)(hist + b), s);
    }
    if (b < bins) {
        const __mmask16 m = (__mmask16)((1u << (bins - b)) - 1u);
        __m512i s = _mm512_add_epi32(_mm512_maskz_loadu_epi32(m, &part[0][b]),
                                     _mm512_maskz_loadu_epi32(m, &part[1][b]));
        s = _mm512_add_epi32(s, _mm512_maskz_loadu_epi32(m, &part[2][b]));
        s = _mm512_add_epi32(s, _mm512_maskz_loadu_epi32(m, &part[3][b]));
        _mm512_mask_storeu_epi32(hist + b, m, s);
    }
}
