// softmax_vnni.cpp -- row-wise softmax over the last axis, float32, AVX-512F.
// Layout: x and out are [rows, cols], row-major.  One row per OpenMP iteration:
//   pass 1: running max (masked tail loads with -inf in the dead lanes),
//   pass 2: e = exp(x - max) stored to out, sum accumulated,
//   pass 3: out *= 1/sum.
// exp is a vector polynomial with 2^k applied through _mm512_scalef_ps.
#include <immintrin.h>
#include <math.h>

static inline __m512 exp_ps(__m512 x)
{
    x = _mm512_max_ps(x, _mm512_set1_ps(-87.3f));   // below this e^x is denormal -> 0 is fine
    const __m512 k = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504f)),
                                          _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 r = _mm512_fnmadd_ps(k, _mm512_set1_ps(0.693359375f), x);
    r = _mm512_fnmadd_ps(k, _mm512_set1_ps(-2.12194440e-4f), r);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(1.9875691500e-4f), r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    p = _mm512_fmadd_ps(p, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
    return _mm512_scalef_ps(p, k);
}

// xpiler: args x=float32[37,77] out=float32[37,77] rows=37 cols=77
extern "C" void softmax_f32(const float* x, float* out, int rows, int cols)
{
    #pragma omp parallel for schedule(static)
    for (int r = 0; r < rows; ++r) {
        const float* xr = x + (long)r * cols;
        float* yr = out + (long)r * cols;
        const int body = cols & ~15;
        const __mmask16 tail = (__mmask16)((1u << (cols & 15)) - 1u);

        __m512 vmax = _mm512_set1_ps(-INFINITY);
        for (int c = 0; c < body; c += 16)
            vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(xr + c));
        if (tail)
            vmax = _mm512_max_ps(vmax, _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), tail, xr + body));
        const __m512 m = _mm512_set1_ps(_mm512_reduce_max_ps(vmax));

        __m512 vsum = _mm512_setzero_ps();
        for (int c = 0; c < body; c += 16) {
            __m512 e = exp_ps(_mm512_sub_ps(_mm512_loadu_ps(xr + c), m));
            _mm512_storeu_ps(yr + c, e);
            vsum = _mm512_add_ps(vsum, e);
        }
        if (tail) {
            __m512 e = exp_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(tail, xr + body), m));
            e = _mm512_maskz_mov_ps(tail, e);            // dead lanes must not add to the sum
            _mm512_mask_storeu_ps(yr + body, tail, e);
            vsum = _mm512_add_ps(vsum, e);
        }
        const __m512 inv = _mm512_set1_ps(1.0f / _mm512_reduce_add_ps(vsum));

        for (int c = 0; c < body; c += 16)
            _mm512_storeu_ps(yr + c, _mm512_mul_ps(_mm512_loadu_ps(yr + c), inv));
        if (tail)
            _mm512_mask_storeu_ps(yr + body, tail, _mm512_mul_ps(_mm512_maskz_loadu_ps(tail, yr + body), inv));
    }
}
