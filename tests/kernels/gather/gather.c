/*
 * gather.c -- row gather (embedding lookup), out[i, :] = table[idx[i], :].
 * Layout: table is [table_rows, dim], idx is int32 [num_idx], out is [num_idx, dim].
 * Indices are trusted to lie in [0, table_rows).
 */
#include <stdint.h>

// xpiler: args table=float32[100,48] idx=int32[75] out=float32[75,48] num_idx=75 dim=48
void gather_f32(const float *restrict table, const int32_t *restrict idx,
                float *restrict out, int num_idx, int dim)
{
    for (int i = 0; i < num_idx; ++i) {
        const int64_t row = idx[i];
        const float *src = table + row * dim;
        float *dst = out + (int64_t)i * dim;
        for (int d = 0; d < dim; ++d)
            dst[d] = src[d];
    }
}
