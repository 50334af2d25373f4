// transpose: out[cols, rows] = x[rows, cols]^T, float32, row-major.
//
// 64x64 tiles through LDS, one wave64 wide: a 64 x 4 workgroup reads 64
// consecutive columns of a row per wavefront instruction and, after the
// barrier, writes 64 consecutive elements of an output row.  The tile row
// is padded to 65 floats so the column-wise LDS reads do not collide in the
// same bank.
#include <hip/hip_runtime.h>

#define TILE 64
#define ROWS_PER_PASS 4

// xpiler: launch grid=2,2,1 block=64,4,1
// xpiler: args x=float32[100,70] out=float32[70,100] rows=100 cols=70
__global__ void __launch_bounds__(TILE * ROWS_PER_PASS)
transpose_lds(const float* __restrict__ x, float* __restrict__ out, int rows, int cols)
{
    __shared__ float tile[TILE][TILE + 1];

    const int c0 = blockIdx.x * TILE;      // tile origin in x
    const int r0 = blockIdx.y * TILE;
    const int tx = threadIdx.x;

    for (int dy = threadIdx.y; dy < TILE; dy += ROWS_PER_PASS) {
        const int r = r0 + dy, c = c0 + tx;
        if (r < rows && c < cols)
            tile[dy][tx] = x[(size_t)r * cols + c];
    }
    __syncthreads();

    // Output tile origin is (c0, r0) swapped: out row = input column.
    for (int dy = threadIdx.y; dy < TILE; dy += ROWS_PER_PASS) {
        const int orow = c0 + dy;          // input column
        const int ocol = r0 + tx;          // input row
        if (orow < cols && ocol < rows)
            out[(size_t)orow * rows + ocol] = tile[tx][dy];
    }
}
