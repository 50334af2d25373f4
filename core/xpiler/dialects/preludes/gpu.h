/* Xpiler parsing prelude: what CUDA and HIP share (qualifiers, dim3, vector types, half).
 * Parsed by clang in CUDA mode, host side, with no CUDA installation. */
#define __global__ __attribute__((global))
#define __device__ __attribute__((device))
#define __host__ __attribute__((host))
#define __shared__ __attribute__((shared))
#define __constant__ __attribute__((constant))
#define __managed__ __attribute__((managed))
#define __launch_bounds__(...) __attribute__((launch_bounds(__VA_ARGS__)))
#define __forceinline__ inline __attribute__((always_inline))
#define __noinline__ __attribute__((noinline))
#define __restrict__ __restrict
#define __align__(n) __attribute__((aligned(n)))
#define __grid_constant__
#define __CUDACC__ 1
#define CUDART_INF_F __builtin_huge_valf()
#define CUDART_NAN_F __builtin_nanf("")
#define CUDART_PI_F 3.141592654f

/* the C library device code has (CUDA C++ Programming Guide, dynamic global memory
 * allocation; HIP the same): the host declarations of common.h are host-only in CUDA mode */
extern "C" __device__ void *malloc(size_t);
extern "C" __device__ void free(void *);
extern "C" __device__ void *memset(void *, int, size_t);
extern "C" __device__ void *memcpy(void *, const void *, size_t);

struct uint3 { unsigned int x, y, z; };
struct dim3 {
  unsigned int x, y, z;
  __host__ __device__ constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  __host__ __device__ constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};
typedef struct uint3 uint3;

#define __XP_VEC(T, N)                                                                 \
  struct N##1 { T x; };                                                                \
  struct N##2 { T x, y; };                                                             \
  struct N##3 { T x, y, z; };                                                          \
  struct N##4 { T x, y, z, w; };                                                       \
  __host__ __device__ N##1 make_##N##1(T x);                                           \
  __host__ __device__ N##2 make_##N##2(T x, T y);                                      \
  __host__ __device__ N##3 make_##N##3(T x, T y, T z);                                 \
  __host__ __device__ N##4 make_##N##4(T x, T y, T z, T w);
__XP_VEC(signed char, char)
__XP_VEC(unsigned char, uchar)
__XP_VEC(short, short)
__XP_VEC(unsigned short, ushort)
__XP_VEC(int, int)
__XP_VEC(long, long)
__XP_VEC(unsigned long, ulong)
__XP_VEC(long long, longlong)
__XP_VEC(unsigned long long, ulonglong)
__XP_VEC(float, float)
__XP_VEC(double, double)
struct uint1 { unsigned int x; };
struct uint2 { unsigned int x, y; };
struct uint4 { unsigned int x, y, z, w; };
__host__ __device__ uint2 make_uint2(unsigned int x, unsigned int y);
__host__ __device__ uint3 make_uint3(unsigned int x, unsigned int y, unsigned int z);
__host__ __device__ uint4 make_uint4(unsigned int x, unsigned int y, unsigned int z, unsigned int w);
#undef __XP_VEC

typedef _Float16 __half;
typedef __half half;
struct __half2 { __half x, y; };
typedef struct __half2 half2;
typedef __bf16 __nv_bfloat16;
typedef __bf16 nv_bfloat16;
struct __nv_bfloat162 { __nv_bfloat16 x, y; };
typedef struct __nv_bfloat162 nv_bfloat162;
