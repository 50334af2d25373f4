// relu on half precision: out[i] = max(x[i], 0), x and out are __half[n].
// Grid-stride loop; the value is widened to float, clamped, and narrowed back
// (exact for relu, since every half value is representable in float).
#include <cuda_runtime.h>
#include <cuda_fp16.h>

// xpiler: launch grid=16,1,1 block=128,1,1
// xpiler: args x=float16[4097] out=float16[4097] n=4097
__global__ void relu(const __half* __restrict__ x, __half* __restrict__ out, int n)
{
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x) {
        const float v = __half2float(x[i]);
        out[i] = __float2half(v > 0.0f ? v : 0.0f);
    }
}
