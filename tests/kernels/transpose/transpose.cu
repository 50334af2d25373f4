// transpose: x[rows, cols] -> out[cols, rows] (float32).
//
// Classic shared-memory tile transpose: a 32x32 tile, 32x8 threads (each thread moves 4
// elements), a +1 column of padding so the column-wise reads of the tile hit 32 different
// banks.  Reads and writes of global memory are both coalesced.  Edge tiles are guarded.
#include <cuda_runtime.h>

#define TILE_DIM 32
#define BLOCK_ROWS 8

// xpiler: launch grid=3,4,1 block=32,8,1
// xpiler: args x=float32[100,75] out=float32[75,100] rows=100 cols=75
__global__ void transpose_kernel(const float* __restrict__ x, float* __restrict__ out,
                                 int rows, int cols)
{
    __shared__ float tile[TILE_DIM][TILE_DIM + 1];

    int c = blockIdx.x * TILE_DIM + threadIdx.x;   // column of x
    int r = blockIdx.y * TILE_DIM + threadIdx.y;   // row of x
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (c < cols && r + j < rows)
            tile[threadIdx.y + j][threadIdx.x] = x[(size_t)(r + j) * cols + c];

    __syncthreads();

    c = blockIdx.y * TILE_DIM + threadIdx.x;       // column of out (= row of x)
    r = blockIdx.x * TILE_DIM + threadIdx.y;       // row of out (= column of x)
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (c < rows && r + j < cols)
            out[(size_t)(r + j) * rows + c] = tile[threadIdx.x][threadIdx.y + j];
}
