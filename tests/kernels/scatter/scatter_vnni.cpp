// scatter_vnni.cpp -- row scatter, out[idx[i], :] = src[i, :], float32 rows.
// Layout: src [num_idx, dim], idx int32 [num_idx] (distinct, in [0, rows of out)),
//         out [rows_out, dim]; rows of out that idx does not name are left untouched.
// Indices are unique, so rows can be written in parallel without conflicts.
#include <immintrin.h>
#include <stdint.h>

#define VLEN 16

// xpiler: args src=float32[40,72] idx=int32[40] out=float32[60,72] num_idx=40 dim=72
extern "C" void scatter_f32(const float* src, const int32_t* idx, float* out,
                            int num_idx, int dim)
{
    #pragma omp parallel for
    for (int i = 0; i < num_idx; ++i) {
        const float* s = src + (int64_t)i * dim;
        float* d = out + (int64_t)idx[i] * dim;
        int c = 0;
        for (; c + VLEN <= dim; c += VLEN)
            _mm512_storeu_ps(d + c, _mm512_loadu_ps(s + c));
        if (c < dim) {
            const __mmask16 m = (__mmask16)((1u << (dim - c)) - 1u);
            _mm512_mask_storeu_ps(d + c, m, _mm512_maskz_loadu_ps(m, s + c));
        }
    }
}
