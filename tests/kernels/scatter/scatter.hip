// scatter: out[idx[i], :] = src[i, :] for i < num_idx; rows of out that no
// index names keep their contents.  src[num_idx, dim] float32,
// idx[num_idx] int32 (all distinct), out[out_rows, dim].
//
// One workgroup per source row; its lanes stride along the row.  Since the
// indices are unique, no two workgroups write the same row.
#include <hip/hip_runtime.h>

// xpiler: launch grid=60,1,1 block=64,1,1
// xpiler: args src=float32[60,40] idx=int32[60] out=float32[80,40] num_idx=60 dim=40
__global__ void __launch_bounds__(64)
scatter_rows(const float* __restrict__ src, const int* __restrict__ idx,
             float* __restrict__ out, int num_idx, int dim)
{
    const int i = blockIdx.x;
    if (i >= num_idx) return;

    const long dst = (long)idx[i];
    const float* s = src + (long)i * dim;
    float* o       = out + dst * dim;
    for (int d = threadIdx.x; d < dim; d += blockDim.x)
        o[d] = s[d];
}
