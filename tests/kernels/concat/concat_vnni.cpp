// concat_vnni.cpp -- out[rows, cols_a + cols_b] = [a | b] along the last axis, float32.
// Layout: a [rows, cols_a], b [rows, cols_b], out [rows, cols_a + cols_b], row-major.
// Each output row is two streamed copies; the second one starts at an arbitrary
// (unaligned) offset, so everything is loadu/storeu with a masked last vector.
#include <immintrin.h>
#include <stddef.h>

static void copy_row(float* dst, const float* src, int n);

// xpiler: args a=float32[45,37] b=float32[45,50] out=float32[45,87] rows=45 cols_a=37 cols_b=50
extern "C" void concat_f32(const float* a, const float* b, float* out,
                           int rows, int cols_a, int cols_b)
{
    const int cols = cols_a + cols_b;

    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        float* dst = out + (size_t)r * cols;
        copy_row(dst, a + (size_t)r * cols_a, cols_a);
        copy_row(dst + cols_a, b + (size_t)r * cols_b, cols_b);
    }
}

static void copy_row(float* dst, const float* src, int n)
{
    int i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 v0 = _mm512_loadu_ps(src + i);
        __m512 v1 = _mm512_loadu_ps(src + i + 16);
        _mm512_storeu_ps(dst + i, v0);
        _mm512_storeu_ps(dst + i + 16, v1);
    }
    for (; i < n; i += 16) {
        const int left = n - i;
        const __mmask16 m = left >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << left) - 1u);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_maskz_loadu_ps(m, src + i));
    }
}
