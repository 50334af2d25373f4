// A C port of row_scale.cu with a wrong bound: the last column of y is never written.
// xpiler: port-of row_scale.cu row_scale
void row_scale(const float *x, float *s, float *y, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    float acc = 0.0f;
    for (int c = 0; c < cols; ++c) acc += x[r * cols + c];
    s[r] = acc;
    for (int c = 0; c < cols - 1; ++c)
      y[r * cols + c] = 0.5f * x[r * cols + c];
  }
}
