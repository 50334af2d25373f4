// transpose_vnni.cpp -- out[cols, rows] = x[rows, cols]^T, float32, AVX-512F.
// Layout: x row-major [rows, cols], out row-major [cols, rows].
// 16x16 tiles transposed in registers: unpacklo/hi_ps (pairs of rows), shuffle_ps
// (groups of four) and two rounds of shuffle_f32x4 (128-bit lanes).  Edge tiles use the
// same path: rows past the edge are zero, columns past it masked on the load, and the
// store of each transposed row is masked to the rows that exist.
#include <immintrin.h>
#include <stdint.h>

#define TILE 16

static inline void transpose16(__m512 r[16]);

// xpiler: args x=float32[70,45] out=float32[45,70] rows=70 cols=45
extern "C" void transpose_f32(const float* x, float* out, int rows, int cols)
{
    const int tiles_r = (rows + TILE - 1) / TILE;
    const int tiles_c = (cols + TILE - 1) / TILE;

    #pragma omp parallel for collapse(2) schedule(static)
    for (int tr = 0; tr < tiles_r; ++tr) {
        for (int tc = 0; tc < tiles_c; ++tc) {
            const int r0 = tr * TILE, c0 = tc * TILE;
            const int nr = rows - r0 < TILE ? rows - r0 : TILE;
            const int nc = cols - c0 < TILE ? cols - c0 : TILE;
            const __mmask16 cm = (__mmask16)(0xFFFFu >> (TILE - nc));   // valid input columns
            const __mmask16 rm = (__mmask16)(0xFFFFu >> (TILE - nr));   // valid input rows

            __m512 t[16];
            for (int i = 0; i < TILE; ++i)
                t[i] = i < nr ? _mm512_maskz_loadu_ps(cm, x + (int64_t)(r0 + i) * cols + c0)
                              : _mm512_setzero_ps();
            transpose16(t);
            for (int j = 0; j < nc; ++j)
                _mm512_mask_storeu_ps(out + (int64_t)(c0 + j) * rows + r0, rm, t[j]);
        }
    }
}

static inline void transpose16(__m512 r[16])
{
    __m512 t[16], u[16];
    // t[2p] / t[2p+1]: rows 2p and 2p+1 interleaved, per 128-bit lane
    for (int p = 0; p < 8; ++p) {
        t[2 * p]     = _mm512_unpacklo_ps(r[2 * p], r[2 * p + 1]);
        t[2 * p + 1] = _mm512_unpackhi_ps(r[2 * p], r[2 * p + 1]);
    }
    // u[4g + c], lane L: column 4L + c of rows 4g .. 4g+3
    for (int g = 0; g < 4; ++g) {
        u[4 * g + 0] = _mm512_shuffle_ps(t[4 * g],     t[4 * g + 2], 0x44);
        u[4 * g + 1] = _mm512_shuffle_ps(t[4 * g],     t[4 * g + 2], 0xEE);
        u[4 * g + 2] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0x44);
        u[4 * g + 3] = _mm512_shuffle_ps(t[4 * g + 1], t[4 * g + 3], 0xEE);
    }
    // gather the four 128-bit pieces of each output row
    for (int c = 0; c < 4; ++c) {
        const __m512 s0 = _mm512_shuffle_f32x4(u[c],     u[4 + c],  0x88);
        const __m512 s1 = _mm512_shuffle_f32x4(u[c],     u[4 + c],  0xDD);
        const __m512 s2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
        const __m512 s3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
        r[c]      = _mm512_shuffle_f32x4(s0, s2, 0x88);
        r[4 + c]  = _mm512_shuffle_f32x4(s1, s3, 0x88);
        r[8 + c]  = _mm512_shuffle_f32x4(s0, s2, 0xDD);
        r[12 + c] = _mm512_shuffle_f32x4(s1, s3, 0xDD);
    }
}
