/*
 * scatter.c -- row scatter, out[idx[i], :] = src[i, :].
 * Layout: src is [num_idx, dim], idx is int32 [num_idx] (unique row numbers of out),
 *         out is [out_rows, dim]. Rows of out that no index names are left untouched.
 */
#include <stddef.h>
#include <stdint.h>

// xpiler: args src=float32[60,33] idx=int32[60] out=float32[90,33] num_idx=60 dim=33
void scatter_f32(const float *restrict src, const int32_t *restrict idx,
                 float *restrict out, int num_idx, int dim)
{
    for (int i = 0; i < num_idx; ++i) {
        const size_t dst_row = (size_t)idx[i];
        for (int d = 0; d < dim; ++d)
            out[dst_row * (size_t)dim + d] = src[(size_t)i * dim + d];
    }
}
