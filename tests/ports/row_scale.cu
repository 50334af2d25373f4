// The original of the port-review tests (tests/test_review.py): per row, the sum of x
// into s and x scaled by a half into y.
// xpiler: launch grid=4,1,1 block=32,1,1
// xpiler: args x=float32[100,48] s=float32[100] y=float32[100,48] rows=100 cols=48
__global__ void row_scale(const float *x, float *s, float *y, int rows, int cols) {
  int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r < rows) {
    float acc = 0.0f;
    for (int c = 0; c < cols; ++c) {
      acc += x[r * cols + c];
    }
    s[r] = acc;
    for (int c = 0; c < cols; ++c) {
      y[r * cols + c] = x[r * cols + c] * 0.5f;
    }
  }
}
