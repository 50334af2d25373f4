// transpose_rows: out[cols, rows] = x[rows, cols]^T through a 32x32 LDS tile. A 32x8
// workgroup stages the tile in passes of 8 rows, then writes it back transposed.
#include <hip/hip_runtime.h>

#define TILE 32
#define PASS 8

// xpiler: launch grid=3,2,1 block=32,8,1
// xpiler: args x=float32[64,96] out=float32[96,64] rows=64 cols=96
__global__ void transpose_rows(const float *x, float *out, int rows, int cols)
{
    __shared__ float tile[TILE][TILE + 1];
    const int c0 = blockIdx.x * TILE, r0 = blockIdx.y * TILE;
    const int tx = threadIdx.x;
    for (int dy = threadIdx.y; dy < TILE; dy += 2 * PASS)
        tile[dy][tx] = x[(size_t)(r0 + dy) * cols + c0 + tx];
    __syncthreads();
    for (int dy = threadIdx.y; dy < TILE; dy += PASS)
        out[(size_t)(c0 + dy) * rows + r0 + tx] = tile[tx][dy];
}
