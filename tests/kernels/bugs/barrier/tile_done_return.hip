// tile_done_return: out[cols, rows] = x[rows, cols]^T with 32x32 LDS tiles; threads whose
// source element lies outside the matrix leave early.
#include <hip/hip_runtime.h>

#define TILE 32

// xpiler: launch grid=3,2,1 block=32,32,1
// xpiler: args x=float32[50,70] out=float32[70,50] rows=50 cols=70
__global__ void tile_done_return(const float *x, float *out, int rows, int cols)
{
    __shared__ float tile[TILE][TILE + 1];
    const int c = blockIdx.x * TILE + threadIdx.x;
    const int r = blockIdx.y * TILE + threadIdx.y;
    if (r >= rows || c >= cols)
        return;
    tile[threadIdx.y][threadIdx.x] = x[(size_t)r * cols + c];
    __syncthreads();
    const int orow = blockIdx.x * TILE + threadIdx.y;
    const int ocol = blockIdx.y * TILE + threadIdx.x;
    if (orow < cols && ocol < rows)
        out[(size_t)orow * rows + ocol] = tile[threadIdx.x][threadIdx.y];
}
