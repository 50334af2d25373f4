// lds_transpose_big: out[cols, rows] = x[rows, cols]^T, float32, in 128 x 128 tiles (the
// row padded by one float against bank conflicts) held in LDS; a 64 x 16 workgroup
// moves the tile in passes of 16 rows.
#include <hip/hip_runtime.h>

#define TILE 128
#define PASS 16

// xpiler: launch grid=1,1,1 block=64,16,1
// xpiler: args x=float32[128,128] out=float32[128,128] rows=128 cols=128
__global__ void lds_transpose_big(const float *x, float *out, int rows, int cols)
{
    __shared__ float tile[TILE][TILE + 1];
    const int c0 = blockIdx.x * TILE, r0 = blockIdx.y * TILE;
    for (int dy = threadIdx.y; dy < TILE; dy += PASS)
        for (int dx = threadIdx.x; dx < TILE; dx += 64)
            tile[dy][dx] = x[(size_t)(r0 + dy) * cols + c0 + dx];
    __syncthreads();
    for (int dy = threadIdx.y; dy < TILE; dy += PASS)
        for (int dx = threadIdx.x; dx < TILE; dx += 64)
            out[(size_t)(c0 + dy) * rows + r0 + dx] = tile[dx][dy];
}
