// argmax_vnni.cpp -- out[r] = index of the first maximum of row r of x[rows, cols].
// Layout: x float32 [rows, cols] row-major, out int32 [rows].  Per row (OpenMP over rows)
// every lane keeps its running maximum and the column where it was first seen: a strict
// greater-than mask blends in the new values and indices, so a lane keeps its earliest
// column on ties.  The tail block is loaded with -inf in the dead lanes.  At the end the
// row maximum is reduced, and the smallest index among the lanes holding it wins.
#include <immintrin.h>
#include <math.h>
#include <stdint.h>

// xpiler: args x=float32[29,203] out=int32[29] rows=29 cols=203
extern "C" void argmax_rows(const float* __restrict x, int32_t* __restrict out, int rows, int cols)
{
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512 neg_inf = _mm512_set1_ps(-INFINITY);
    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const float* xr = x + (long)r * cols;
        __m512 best = neg_inf;
        __m512i where = _mm512_setzero_si512();
        int c = 0;
        for (; c + 16 <= cols; c += 16) {
            const __m512 v = _mm512_loadu_ps(xr + c);
            const __mmask16 gt = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
            best = _mm512_mask_blend_ps(gt, best, v);
            where = _mm512_mask_blend_epi32(gt, where, _mm512_add_epi32(lane, _mm512_set1_epi32(c)));
        }
        if (c < cols) {
            const __mmask16 m = (__mmask16)((1u << (cols - c)) - 1u);
            const __m512 v = _mm512_mask_loadu_ps(neg_inf, m, xr + c);
            const __mmask16 gt = _mm512_cmp_ps_mask(v, best, _CMP_GT_OQ);
            best = _mm512_mask_blend_ps(gt, best, v);
            where = _mm512_mask_blend_epi32(gt, where, _mm512_add_epi32(lane, _mm512_set1_epi32(c)));
        }
        const float m = _mm512_reduce_max_ps(best);
        const __mmask16 at_max = _mm512_cmp_ps_mask(best, _mm512_set1_ps(m), _CMP_EQ_OQ);
        out[r] = _mm512_mask_reduce_min_epi32(at_max, where);
    }
}
