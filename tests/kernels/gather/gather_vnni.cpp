// gather_vnni.cpp -- embedding lookup, out[i, :] = table[idx[i], :], float32 rows.
// Layout: table [rows, dim], idx int32 [num_idx] (each in [0, rows)), out [num_idx, dim].
// Row copies with zmm loads/stores, the dim % 16 tail masked; the next row's address is
// prefetched while the current one is copied.
#include <immintrin.h>
#include <cstdint>

// xpiler: args table=float32[64,100] idx=int32[50] out=float32[50,100] num_idx=50 dim=100
extern "C" void gather_f32(const float* table, const int32_t* idx, float* out,
                           int num_idx, int dim)
{
    const int body = dim & ~15;
    const __mmask16 tail = (__mmask16)((1u << (dim & 15)) - 1u);

    #pragma omp parallel for schedule(static)
    for (int i = 0; i < num_idx; ++i) {
        if (i + 1 < num_idx)
            _mm_prefetch(reinterpret_cast<const char*>(table + (int64_t)idx[i + 1] * dim), _MM_HINT_T0);
        const float* src = table + (int64_t)idx[i] * dim;
        float* dst = out + (int64_t)i * dim;
        for (int c = 0; c < body; c += 16)
            _mm512_storeu_ps(dst + c, _mm512_loadu_ps(src + c));
        if (tail)
            _mm512_mask_storeu_ps(dst + body, tail, _mm512_maskz_loadu_ps(tail, src + body));
    }
}
