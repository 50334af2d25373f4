// scan_vnni.cpp -- inclusive prefix sum along each row of x[rows, cols] (float32).
// Layout: x and out row-major [rows, cols].  One row per OpenMP iteration.  Sixteen
// columns at a time are scanned inside one zmm with four shift-and-add steps (shift by
// 1, 2, 4, 8 lanes with valignd against zero), then the carry of the previous block is
// added and the new carry is lane 15 broadcast with vpermps.  The last block is loaded
// and stored under a mask (dead lanes read as 0 and do not disturb the live prefix).
#include <immintrin.h>

static inline __m512 shift_up_lanes(__m512 v, const int k)
{
    // lane i <- lane i-k, lanes below k <- 0
    const __m512i z = _mm512_setzero_si512();
    const __m512i s = _mm512_castps_si512(v);
    switch (k) {
    case 1: return _mm512_castsi512_ps(_mm512_alignr_epi32(s, z, 15));
    case 2: return _mm512_castsi512_ps(_mm512_alignr_epi32(s, z, 14));
    case 4: return _mm512_castsi512_ps(_mm512_alignr_epi32(s, z, 12));
    default: return _mm512_castsi512_ps(_mm512_alignr_epi32(s, z, 8));
    }
}

static inline __m512 scan16(__m512 v)
{
    v = _mm512_add_ps(v, shift_up_lanes(v, 1));
    v = _mm512_add_ps(v, shift_up_lanes(v, 2));
    v = _mm512_add_ps(v, shift_up_lanes(v, 4));
    v = _mm512_add_ps(v, shift_up_lanes(v, 8));
    return v;
}

// xpiler: args x=float32[11,301] out=float32[11,301] rows=11 cols=301
extern "C" void scan_rows_f32(const float* __restrict x, float* __restrict out, int rows, int cols)
{
    const __m512i last = _mm512_set1_epi32(15);
    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const float* xr = x + (long)r * cols;
        float* yr = out + (long)r * cols;
        __m512 carry = _mm512_setzero_ps();
        int c = 0;
        for (; c + 16 <= cols; c += 16) {
            __m512 v = _mm512_add_ps(scan16(_mm512_loadu_ps(xr + c)), carry);
            _mm512_storeu_ps(yr + c, v);
            carry = _mm512_permutexvar_ps(last, v);
        }
        if (c < cols) {
            const __mmask16 m = (__mmask16)((1u << (cols - c)) - 1u);
            __m512 v = _mm512_add_ps(scan16(_mm512_maskz_loadu_ps(m, xr + c)), carry);
            _mm512_mask_storeu_ps(yr + c, m, v);
        }
    }
}
