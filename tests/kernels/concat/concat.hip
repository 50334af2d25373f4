// concat: out[r, :] = [a[r, :] | b[r, :]] along the last axis;
// a[rows, cols_a], b[rows, cols_b], out[rows, cols_a + cols_b], float32.
//
// 2-D launch: 64 x 4 workgroups, x over output columns, y over rows.  Each
// lane copies one element from whichever input owns its column.
// concat_host copies in, launches with <<<>>>, copies out.
#include <hip/hip_runtime.h>

__global__ void __launch_bounds__(256)
concat_cols(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ out,
            int rows, int cols_a, int cols_b)
{
    const int col  = blockIdx.x * blockDim.x + threadIdx.x;
    const int row  = blockIdx.y * blockDim.y + threadIdx.y;
    const int cols = cols_a + cols_b;
    if (row >= rows || col >= cols) return;

    out[(size_t)row * cols + col] = col < cols_a ? a[(size_t)row * cols_a + col]
                                                 : b[(size_t)row * cols_b + (col - cols_a)];
}

// xpiler: args a=float32[37,50] b=float32[37,30] out=float32[37,80] rows=37 cols_a=50 cols_b=30
void concat_host(const float* a, const float* b, float* out, int rows, int cols_a, int cols_b)
{
    const int cols = cols_a + cols_b;
    float *da, *db, *dout;
    hipMalloc((void**)&da, sizeof(float) * rows * cols_a);
    hipMalloc((void**)&db, sizeof(float) * rows * cols_b);
    hipMalloc((void**)&dout, sizeof(float) * rows * cols);
    hipMemcpy(da, a, sizeof(float) * rows * cols_a, hipMemcpyHostToDevice);
    hipMemcpy(db, b, sizeof(float) * rows * cols_b, hipMemcpyHostToDevice);

    dim3 block(64, 4);
    dim3 grid((cols + block.x - 1) / block.x, (rows + block.y - 1) / block.y);
    concat_cols<<<grid, block>>>(da, db, dout, rows, cols_a, cols_b);

    hipMemcpy(out, dout, sizeof(float) * rows * cols, hipMemcpyDeviceToHost);
    hipFree(da);
    hipFree(db);
    hipFree(dout);
}
