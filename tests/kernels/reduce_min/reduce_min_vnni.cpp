// reduce_min_vnni.cpp -- out[r] = min_c x[r, c], row-wise over the last axis, float32.
// Layout: x [rows, cols] row-major, out [rows].
// Single zmm running minimum; the tail uses a masked *min* (_mm512_mask_min_ps keeps the
// old value in the dead lanes) instead of a padded load.
#include <immintrin.h>
#include <cfloat>
#include <cstddef>

// xpiler: args x=float32[29,77] out=float32[29] rows=29 cols=77
extern "C" void reduce_min_f32(const float* x, float* out, int rows, int cols)
{
    for (int r = 0; r < rows; ++r) {
        const float* p = x + static_cast<std::size_t>(r) * cols;
        __m512 lo = _mm512_set1_ps(FLT_MAX);
        int c = 0;
        for (; c + 16 <= cols; c += 16)
            lo = _mm512_min_ps(lo, _mm512_loadu_ps(p + c));
        if (c < cols) {
            const __mmask16 k = static_cast<__mmask16>((1u << (cols - c)) - 1u);
            lo = _mm512_mask_min_ps(lo, k, lo, _mm512_maskz_loadu_ps(k, p + c));
        }
        out[r] = _mm512_reduce_min_ps(lo);
    }
}
