// gather (embedding lookup): out[i, :] = table[idx[i], :]
// table[table_rows, dim] float32, idx[num_idx] int32, out[num_idx, dim].
//
// grid.y = output row, grid.x covers the row in 64-float chunks (one
// wavefront per chunk).  The index is wave-uniform, read once per lane.
#include <hip/hip_runtime.h>
#include <cstdint>

// xpiler: launch grid=2,50,1 block=64,1,1
// xpiler: args table=float32[100,72] idx=int32[50] out=float32[50,72] num_idx=50 dim=72
__global__ void gather_rows(const float* __restrict__ table, const int32_t* __restrict__ idx,
                            float* __restrict__ out, int num_idx, int dim)
{
    const int i = blockIdx.y;
    const int d = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= num_idx || d >= dim) return;

    const int64_t src = static_cast<int64_t>(idx[i]) * dim;
    out[static_cast<int64_t>(i) * dim + d] = table[src + d];
}
