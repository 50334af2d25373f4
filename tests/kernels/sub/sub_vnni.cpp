// sub_vnni.cpp -- element-wise out[i] = x[i] - y[i], float32.
// Uses 256-bit AVX-512VL vectors (ymm, 8 floats): on parts that down-clock under heavy
// zmm use this is often the better choice for a purely memory-bound stream.
// Layout: flat contiguous arrays of n floats; the tail (< 8) uses an 8-bit lane mask.
#include <immintrin.h>

static const int kLanes = 8;

// xpiler: args x=float32[3001] y=float32[3001] out=float32[3001] n=3001
extern "C" void sub_f32(const float* x, const float* y, float* out, int n)
{
    const int nvec = n / kLanes;

    #pragma omp parallel for schedule(static)
    for (int v = 0; v < nvec; ++v) {
        const int i = v * kLanes;
        __m256 a = _mm256_loadu_ps(x + i);
        __m256 b = _mm256_loadu_ps(y + i);
        _mm256_storeu_ps(out + i, _mm256_sub_ps(a, b));
    }

    const int done = nvec * kLanes;
    if (done < n) {
        __mmask8 tail = static_cast<__mmask8>((1u << (n - done)) - 1u);
        __m256 a = _mm256_maskz_loadu_ps(tail, x + done);
        __m256 b = _mm256_maskz_loadu_ps(tail, y + done);
        _mm256_mask_storeu_ps(out + done, tail, _mm256_sub_ps(a, b));
    }
}
