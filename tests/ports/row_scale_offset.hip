// A HIP port of row_scale.cu with a wrong offset: y reads x transposed.
#include <hip/hip_runtime.h>
// xpiler: port-of row_scale.cu row_scale
// xpiler: launch grid=2,1,1 block=64,1,1
__global__ void row_scale(const float *x, float *s, float *y, int rows, int cols) {
  int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r < rows) {
    float acc = 0.0f;
    for (int c = 0; c < cols; ++c) acc += x[r * cols + c];
    s[r] = acc;
    for (int c = 0; c < cols; ++c)
      y[r * cols + c] = x[c * rows + r] * 0.5f;
  }
}
