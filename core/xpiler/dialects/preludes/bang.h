/* Xpiler parsing prelude: BANG C qualifiers, types, memcpy directions and the CNRT host
 * API (reference/bang.md §1, §3.1). Parsed by clang in CUDA mode so that
 * `kernel<<<dim, type, queue>>>(...)` parses; `__mlu_global__` is a CUDA global function
 * to clang, and on-chip spaces are annotations the front end reads back. Intrinsic
 * declarations are generated from dialects/bang/intrinsics.py. */
#define __mlu_global__ __attribute__((global))
#define __mlu_entry__ __attribute__((global))
#define __mlu_func__ __attribute__((device, always_inline))
/* On a variable, __mlu_device__ is GDRAM (the annotation); on a function, a device function. */
#define __mlu_device__ __attribute__((device)) __attribute__((annotate("xpiler_space:gdram")))
#define __mlu_host__ __attribute__((host))
#define __nram__ __attribute__((annotate("xpiler_space:nram")))
#define __wram__ __attribute__((annotate("xpiler_space:wram")))
#define __ldram__ __attribute__((annotate("xpiler_space:ldram")))
#define __mlu_shared__ __attribute__((annotate("xpiler_space:sram")))
#define __mlu_const__ __attribute__((annotate("xpiler_space:constant")))
#define __restrict__ __restrict
#define __BANG__ 1
#ifndef __BANG_ARCH__
#define __BANG_ARCH__ 372
#endif
#ifndef __MLU_NRAM_SIZE__
#define __MLU_NRAM_SIZE__ 768
#endif
#ifndef __MLU_WRAM_SIZE__
#define __MLU_WRAM_SIZE__ 1024
#endif
#ifndef __MLU_SRAM_SIZE__
#define __MLU_SRAM_SIZE__ 4096
#endif

typedef _Float16 half;
typedef __bf16 bfloat16_t;
typedef struct { signed char v; } int4x2_t;
typedef signed char int8;
typedef short int16;
typedef int int32;
typedef signed char fix8;

typedef enum {
  GDRAM2NRAM = 0, NRAM2GDRAM, LDRAM2NRAM, NRAM2LDRAM, GDRAM2WRAM, WRAM2GDRAM,
  LDRAM2WRAM, WRAM2LDRAM, NRAM2NRAM, NRAM2WRAM, WRAM2NRAM, GDRAM2SRAM, SRAM2GDRAM,
  LDRAM2SRAM, SRAM2LDRAM, SRAM2NRAM, NRAM2SRAM, SRAM2WRAM, WRAM2SRAM, GDRAM2GDRAM,
  GDRAM2LDRAM, LDRAM2GDRAM, LDRAM2LDRAM, SRAM2SRAM
} mluMemcpyDirection_t;

/* CNRT (reference/bang.md §1.3) */
typedef struct { unsigned int x, y, z; } cnrtDim3_t;
typedef enum {
  cnrtFuncTypeBlock = 1, cnrtFuncTypeBlock0 = 1, cnrtFuncTypeBlock1 = 2,
  cnrtFuncTypeUnion1 = 4, cnrtFuncTypeUnion2 = 8, cnrtFuncTypeUnion4 = 16,
  cnrtFuncTypeUnion8 = 32, cnrtFuncTypeUnion16 = 64, cnrtFuncTypeMutable = -1,
  CNRT_FUNC_TYPE_BLOCK = 1, CNRT_FUNC_TYPE_BLOCK0 = 1, CNRT_FUNC_TYPE_BLOCK1 = 2,
  CNRT_FUNC_TYPE_UNION1 = 4, CNRT_FUNC_TYPE_UNION2 = 8, CNRT_FUNC_TYPE_UNION4 = 16,
  CNRT_FUNC_TYPE_UNION8 = 32, CNRT_FUNC_TYPE_UNION16 = 64, CNRT_FUNC_TYPE_MUTABLE = -1
} cnrtFunctionType_t;
typedef enum {
  cnrtMemcpyHostToDev = 0, cnrtMemcpyDevToDev = 1, cnrtMemcpyDevToHost = 2,
  cnrtMemcpyHostToHost = 3, cnrtMemcpyPeerToPeer = 4, cnrtMemcpyNoDirection = 5,
  CNRT_MEM_TRANS_DIR_HOST2DEV = 0, CNRT_MEM_TRANS_DIR_DEV2DEV = 1, CNRT_MEM_TRANS_DIR_DEV2HOST = 2,
  CNRT_MEM_TRANS_DIR_HOST2HOST = 3
} cnrtMemTransDir_t;
typedef enum { cnrtSuccess = 0, CNRT_RET_SUCCESS = 0, cnrtErrorNoMem = 2, cnrtErrorArgsInvalid = 1 } cnrtRet_t;
typedef struct cnrtQueue *cnrtQueue_t;
typedef struct cnrtNotifier *cnrtNotifier_t;
extern "C" {
cnrtRet_t cnrtInit(unsigned int flags);
cnrtRet_t cnrtSetDevice(int device);
cnrtRet_t cnrtGetDevice(int *device);
cnrtRet_t cnrtQueueCreate(cnrtQueue_t *queue);
cnrtRet_t cnrtCreateQueue(cnrtQueue_t *queue);
cnrtRet_t cnrtQueueSync(cnrtQueue_t queue);
cnrtRet_t cnrtSyncQueue(cnrtQueue_t queue);
cnrtRet_t cnrtQueueDestroy(cnrtQueue_t queue);
cnrtRet_t cnrtDestroyQueue(cnrtQueue_t queue);
cnrtRet_t cnrtMalloc(void **ptr, size_t bytes);
cnrtRet_t cnrtFree(void *ptr);
cnrtRet_t cnrtMemcpy(void *dst, void *src, size_t bytes, cnrtMemTransDir_t dir);
cnrtRet_t cnrtMemset(void *ptr, int value, size_t bytes);
cnrtRet_t cnrtNotifierCreate(cnrtNotifier_t *notifier);
cnrtRet_t cnrtNotifierDestroy(cnrtNotifier_t notifier);
cnrtRet_t cnrtPlaceNotifier(cnrtNotifier_t notifier, cnrtQueue_t queue);
cnrtRet_t cnrtNotifierDuration(cnrtNotifier_t start, cnrtNotifier_t end, float *us);
const char *cnrtGetErrorStr(cnrtRet_t ret);
int cudaConfigureCall(cnrtDim3_t dim, cnrtFunctionType_t type, cnrtQueue_t queue = 0);
int __cudaPushCallConfiguration(cnrtDim3_t dim, cnrtFunctionType_t type, cnrtQueue_t queue = 0);
}
template <class T> cnrtRet_t cnrtMalloc(T **ptr, size_t bytes);
#define CNRT_CHECK(x) (x)
