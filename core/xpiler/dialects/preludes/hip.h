/* Xpiler parsing prelude: HIP runtime and launch. The declarations of device intrinsics
 * (64-lane shuffles, MFMA builtins) are generated from dialects/hip/intrinsics.py. */
#define __HIP_PLATFORM_AMD__ 1
#define __HIPCC__ 1
#define __HIP__ 1
#define HIP_KERNEL_NAME(...) __VA_ARGS__
#define HIP_DYNAMIC_SHARED(type, var) extern __shared__ type var[];
#define HIP_SYMBOL(x) (&(x))
#define hipThreadIdx_x (threadIdx.x)
#define hipThreadIdx_y (threadIdx.y)
#define hipThreadIdx_z (threadIdx.z)
#define hipBlockIdx_x (blockIdx.x)
#define hipBlockIdx_y (blockIdx.y)
#define hipBlockIdx_z (blockIdx.z)
#define hipBlockDim_x (blockDim.x)
#define hipBlockDim_y (blockDim.y)
#define hipBlockDim_z (blockDim.z)
#define hipGridDim_x (gridDim.x)
#define hipGridDim_y (gridDim.y)
#define hipGridDim_z (gridDim.z)
typedef enum hipError_t {
  hipSuccess = 0, hipErrorInvalidValue = 1, hipErrorOutOfMemory = 2, hipErrorMemoryAllocation = 2,
  hipErrorNotInitialized = 3, hipErrorInvalidConfiguration = 9, hipErrorInvalidSymbol = 13,
  hipErrorInvalidDevicePointer = 17, hipErrorInvalidMemcpyDirection = 21, hipErrorInvalidDeviceFunction = 98,
  hipErrorLaunchFailure = 719, hipErrorUnknown = 999
} hipError_t;
typedef enum hipMemcpyKind {
  hipMemcpyHostToHost = 0, hipMemcpyHostToDevice = 1, hipMemcpyDeviceToHost = 2,
  hipMemcpyDeviceToDevice = 3, hipMemcpyDefault = 4
} hipMemcpyKind;
typedef enum hipDeviceAttribute_t {
  hipDeviceAttributeMaxThreadsPerBlock = 56, hipDeviceAttributeMaxBlockDimX = 26,
  hipDeviceAttributeMaxBlockDimY = 27, hipDeviceAttributeMaxBlockDimZ = 28,
  hipDeviceAttributeMaxGridDimX = 29, hipDeviceAttributeMaxGridDimY = 30, hipDeviceAttributeMaxGridDimZ = 31,
  hipDeviceAttributeMaxSharedMemoryPerBlock = 74, hipDeviceAttributeWarpSize = 87,
  hipDeviceAttributeMultiprocessorCount = 63, hipDeviceAttributeComputeCapabilityMajor = 23,
  hipDeviceAttributeComputeCapabilityMinor = 61
} hipDeviceAttribute_t;
typedef enum hipFuncAttribute {
  hipFuncAttributeMaxDynamicSharedMemorySize = 8, hipFuncAttributePreferredSharedMemoryCarveout = 9
} hipFuncAttribute;
typedef struct ihipStream_t *hipStream_t;
typedef struct ihipEvent_t *hipEvent_t;
struct hipDeviceProp_t {
  char name[256]; size_t totalGlobalMem; size_t sharedMemPerBlock; int regsPerBlock; int warpSize;
  int maxThreadsPerBlock; int maxThreadsDim[3]; int maxGridSize[3]; int multiProcessorCount;
  int major; int minor; char gcnArchName[256];
};
extern "C" {
hipError_t hipMalloc(void **ptr, size_t size);
hipError_t hipMallocManaged(void **ptr, size_t size, unsigned int flags = 1);
hipError_t hipHostMalloc(void **ptr, size_t size, unsigned int flags = 0);
hipError_t hipFree(void *ptr);
hipError_t hipHostFree(void *ptr);
hipError_t hipMemcpy(void *dst, const void *src, size_t sizeBytes, hipMemcpyKind kind);
hipError_t hipMemcpyAsync(void *dst, const void *src, size_t sizeBytes, hipMemcpyKind kind, hipStream_t stream = 0);
hipError_t hipMemcpyHtoD(void *dst, void *src, size_t sizeBytes);
hipError_t hipMemcpyDtoH(void *dst, void *src, size_t sizeBytes);
hipError_t hipMemset(void *dst, int value, size_t sizeBytes);
hipError_t hipMemsetAsync(void *dst, int value, size_t sizeBytes, hipStream_t stream = 0);
hipError_t hipDeviceSynchronize(void);
hipError_t hipDeviceReset(void);
hipError_t hipGetLastError(void);
hipError_t hipPeekAtLastError(void);
const char *hipGetErrorString(hipError_t error);
const char *hipGetErrorName(hipError_t error);
hipError_t hipSetDevice(int device);
hipError_t hipGetDevice(int *device);
hipError_t hipGetDeviceCount(int *count);
hipError_t hipGetDeviceProperties(struct hipDeviceProp_t *prop, int device);
hipError_t hipDeviceGetAttribute(int *value, hipDeviceAttribute_t attr, int device);
hipError_t hipStreamCreate(hipStream_t *stream);
hipError_t hipStreamSynchronize(hipStream_t stream);
hipError_t hipStreamDestroy(hipStream_t stream);
hipError_t hipEventCreate(hipEvent_t *event);
hipError_t hipEventRecord(hipEvent_t event, hipStream_t stream = 0);
hipError_t hipEventSynchronize(hipEvent_t event);
hipError_t hipEventElapsedTime(float *ms, hipEvent_t start, hipEvent_t stop);
hipError_t hipEventDestroy(hipEvent_t event);
int hipConfigureCall(dim3 gridDim, dim3 blockDim, size_t sharedMem = 0, hipStream_t stream = 0);
int __hipPushCallConfiguration(dim3 gridDim, dim3 blockDim, size_t sharedMem = 0, hipStream_t stream = 0);
int cudaConfigureCall(dim3 gridDim, dim3 blockDim, size_t sharedMem = 0, hipStream_t stream = 0);
int __cudaPushCallConfiguration(dim3 gridDim, dim3 blockDim, size_t sharedMem = 0, hipStream_t stream = 0);
}
template <class T> hipError_t hipMalloc(T **ptr, size_t size);
template <class T> hipError_t hipMallocManaged(T **ptr, size_t size, unsigned int flags = 1);
template <class T> hipError_t hipHostMalloc(T **ptr, size_t size, unsigned int flags = 0);
template <class T> hipError_t hipMemcpyToSymbol(const T &symbol, const void *src, size_t count, size_t offset = 0, hipMemcpyKind kind = hipMemcpyHostToDevice);
template <class T> hipError_t hipMemcpyFromSymbol(void *dst, const T &symbol, size_t count, size_t offset = 0, hipMemcpyKind kind = hipMemcpyDeviceToHost);
template <class T> hipError_t hipFuncSetAttribute(T *entry, hipFuncAttribute attr, int value);
template <class F, class... Args>
void hipLaunchKernelGGL(F &&kernel, const dim3 &numBlocks, const dim3 &dimBlocks, unsigned int sharedMemBytes,
                        hipStream_t stream, Args &&...args);

/* HIP's vector types carry element-wise arithmetic (hip_vector_types.h); a scalar of the element
 * type is broadcast. The runtime (xp_gpu.hpp) defines the same set. */
#define __XP_VOPS(V, T)                                                      \
  __host__ __device__ V operator+(const V &a, const V &b);                  \
  __host__ __device__ V operator-(const V &a, const V &b);                  \
  __host__ __device__ V operator*(const V &a, const V &b);                  \
  __host__ __device__ V operator/(const V &a, const V &b);                  \
  __host__ __device__ V operator-(const V &a);                              \
  __host__ __device__ V operator+(const V &a, T s);                         \
  __host__ __device__ V operator-(const V &a, T s);                         \
  __host__ __device__ V operator*(const V &a, T s);                         \
  __host__ __device__ V operator/(const V &a, T s);                         \
  __host__ __device__ V operator+(T s, const V &a);                         \
  __host__ __device__ V operator-(T s, const V &a);                         \
  __host__ __device__ V operator*(T s, const V &a);                         \
  __host__ __device__ V operator/(T s, const V &a);                         \
  __host__ __device__ V &operator+=(V &a, const V &b);                      \
  __host__ __device__ V &operator-=(V &a, const V &b);                      \
  __host__ __device__ V &operator*=(V &a, const V &b);                      \
  __host__ __device__ V &operator/=(V &a, const V &b);                      \
  __host__ __device__ V &operator+=(V &a, T s);                             \
  __host__ __device__ V &operator-=(V &a, T s);                             \
  __host__ __device__ V &operator*=(V &a, T s);                             \
  __host__ __device__ V &operator/=(V &a, T s);                             \
  __host__ __device__ bool operator==(const V &a, const V &b);              \
  __host__ __device__ bool operator!=(const V &a, const V &b);
#define __XP_VOPS234(N, T) __XP_VOPS(N##2, T) __XP_VOPS(N##3, T) __XP_VOPS(N##4, T)
__XP_VOPS234(float, float) __XP_VOPS234(double, double) __XP_VOPS234(int, int)
__XP_VOPS234(uint, unsigned int) __XP_VOPS234(char, signed char) __XP_VOPS234(uchar, unsigned char)
__XP_VOPS234(short, short) __XP_VOPS234(ushort, unsigned short) __XP_VOPS234(long, long)
__XP_VOPS234(ulong, unsigned long) __XP_VOPS234(longlong, long long)
__XP_VOPS234(ulonglong, unsigned long long)
#undef __XP_VOPS234
#undef __XP_VOPS

/* hip/hip_bf16.h: HIP's names for the bfloat16 types (dialects/hip TYPE_ALIASES). */
typedef __nv_bfloat16 __hip_bfloat16;
typedef __nv_bfloat16 hip_bfloat16;
typedef __nv_bfloat162 __hip_bfloat162;
