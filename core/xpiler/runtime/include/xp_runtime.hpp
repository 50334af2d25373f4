// Xpiler CPU emulation runtime: the part every dialect shares.
//
// A kernel file is printed from the IR as C++ with its memory accesses, on-chip
// declarations and statements instrumented (see runtime/emit.py), then compiled with g++
// together with this header, a dialect runtime (xp_cuda.hpp, xp_bang.hpp) and a generated
// driver. This header provides:
//   - findings: out-of-bounds accesses, reads of never-written memory, races on shared
//     memory, barrier divergence, operand-space and overlap violations -- each with the
//     source line and the thread or task that did it, written as JSON lines at exit;
//   - memory regions: every buffer (device, host, shared, NRAM...) is registered with its
//     bounds, its space and a shadow of which bytes were written; arenas leave red zones
//     between allocations so an access past a buffer lands in no region and is reported;
//   - fibers: a minimal x86-64 context switch, so the threads of a block (or the cores of a
//     cluster) run as cooperative fibers and barriers work inside loops and branches;
//   - the access trace (which elements each line reads and writes);
//   - the driver's input and output files.
// With XP_CHECKS=0 the access macros compile to plain accesses (fast runs).
#pragma once

#include <algorithm>
#include <cstdarg>
#include <cfloat>
#include <climits>
#include <cmath>
#include <math.h>  // the C names too: unqualified cbrt(float), abs(float), isnan... pick the C++ overloads
#include <stdlib.h>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>
#include <sys/mman.h>
#include <csignal>

#ifndef XP_CHECKS  // set by build.py with -D (the precompiled prefix depends on it)
#define XP_CHECKS 1
#endif

namespace xp {
// bfloat16 conversions (every dialect has a bf16 type; g++ 12 has no arithmetic __bf16).
inline uint16_t f32_to_bf16(float f) {  // round to nearest even; NaN stays a quiet NaN
  uint32_t u;
  memcpy(&u, &f, 4);
  if ((u & 0x7F800000u) == 0x7F800000u && (u & 0x7FFFFFu)) return (uint16_t)((u >> 16) | 0x40u);
  u += 0x7FFFu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}
inline uint16_t f64_to_bf16(double d) {  // one rounding: round-to-odd to float, then RNE
  float f = (float)d;
  if (d == d && (double)f != d && std::isfinite(f)) {
    if (std::fabs((double)f) > std::fabs(d)) f = std::nextafterf(f, 0.0f);
    uint32_t u;
    memcpy(&u, &f, 4);
    u |= 1u;
    memcpy(&f, &u, 4);
  }
  return f32_to_bf16(f);
}
inline float bf16_to_f32(uint16_t b) {
  uint32_t u = (uint32_t)b << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}

// Floating-point types beyond float and double; each dialect runtime marks its bfloat16
// type with is_bf16 (and is_fp) so that xp_cast below serves every dialect.
template <class T> struct is_fp : std::is_floating_point<T> {};
template <> struct is_fp<_Float16> : std::true_type {};
template <class T> struct is_bf16 : std::false_type {};
}  // namespace xp

// xp_cast<T>(v): the conversion the table's snippets use. Floating targets: one
// round-to-nearest-even rounding (double -> half/bfloat16 directly); integer targets:
// wrap-around (a floating value is first truncated toward zero; NaN gives 0).
template <class T, class U>
inline T xp_cast(U v) {
  using S = std::remove_cv_t<U>;
  if constexpr (std::is_same_v<T, S>) {
    return v;
  } else if constexpr (::xp::is_bf16<T>::value) {
    if constexpr (std::is_same_v<S, double> || std::is_integral_v<S>) return T((double)v);
    else return T((float)v);
  } else if constexpr (::xp::is_fp<T>::value) {
    if constexpr (::xp::is_bf16<S>::value) return (T)(float)v;
    else return (T)v;
  } else if constexpr (std::is_integral_v<T> && ::xp::is_fp<S>::value) {
    double d = (double)v;
    if (d != d) return (T)0;
    d = std::trunc(d);
    if (d >= 9.2e18) d = 9.2e18;
    if (d <= -9.2e18) d = -9.2e18;
    return (T)(unsigned long long)(long long)d;
  } else {
    return (T)v;
  }
}

namespace xp {

void finish(int status);

// ---------------------------------------------------------------------------- context
// What is executing now: set by the dialect scheduler when it switches fibers. `who` is a
// human-readable name ("thread (3,0,0) of block (1,0,0)", "task 5 (cluster 1, core 1)").
struct Context {
  int line = 0;
  int warp_key = -1;   // identifies the warp (block-local) for race checks; -1: none
  int thread_key = 0;  // identifies the thread within its block/cluster
  char who[96] = "host";
};
inline Context g_host_ctx;
inline Context *cur = &g_host_ctx;

// Every statement records its line; in checked runs it also polls the stop flag that the
// caller's timeout (SIGTERM) or the run's own deadline (SIGALRM) raises, so that the run
// ends at a statement boundary with its findings so far (see "progress" below).
#if XP_CHECKS
#define XP_LINE(n) (::xp::cur->line = (n), __builtin_expect(::xp::g_stop, 0) ? ::xp::stop_now() : (void)0)
#else
#define XP_LINE(n) (::xp::cur->line = (n))
#endif

// ---------------------------------------------------------------------------- progress, sampling, stopping
// How far a run got, in the units its dialect launches (GPU blocks; BANG tasks of a BLOCK
// launch, jobs of a Union launch), written to progress.txt when it ends and, by the SIGTERM
// handler, when the caller's timeout stops it: the caller can then say how far it got
// instead of guessing at an infinite loop. Options (input.txt `option KEY VALUE`):
//   sample K    run K of the launch's units, spread evenly, the first and the last among
//               them; the others are skipped (nothing of theirs runs). For a kernel entry:
//               a checked run on a sample of blocks (the oracle's sampled mode).
//   budget S    a launch projected to take more than S seconds (after probe_after seconds,
//               default 1, from the units done so far) stops itself, and so does any run
//               still going after S seconds (a checked run at its next statement): status
//               125, stopped `budget`, so the caller can sample instead of waiting for the
//               timeout.
//   deadline S  a checked run stops at the first statement after S seconds (SIGALRM):
//               status 124, stopped `deadline`, with its findings so far (a prefix check of
//               a program that has no units to sample: C, VNNI).
struct Progress {
  const char *unit = nullptr;        // "block", "task", "job"; nullptr: no launch yet
  long long total = 0, done = 0;     // units of the running (or last) launch; done counts skipped ones
  long long ran = 0, skipped = 0;    // over every launch
  long long launches = 0;
  double launch_start = 0, seconds = 0;  // seconds spent in launches (the running one included)
  long long sample = 0;              // option sample (0: every unit)
  double budget = 0, probe_after = 1.0;
  std::vector<long long> chosen;     // the sampled units of the running launch, sorted
};
inline Progress g_progress;
inline volatile sig_atomic_t g_stop = 0;  // 1: the caller's timeout (SIGTERM); 2: the deadline (SIGALRM)
inline const char *g_stopped = "";        // why the run stopped early: timeout, deadline, budget
inline const char *g_alarm_reason = "deadline";  // what SIGALRM means: the deadline or the budget
double now_seconds();
void launch_begin(const char *unit, long long total);
bool launch_unit(long long index);  // whether unit `index` of the launch runs (counts a skipped one)
void launch_unit_done();            // after a unit that ran: counts it, applies the budget and the stop flag
void launch_end();
void write_progress();              // progress.txt (async-signal-safe)
[[noreturn]] void stop_now();       // stop at this statement: outputs and findings so far, status 124

// ---------------------------------------------------------------------------- findings
struct Finding {
  std::string kind;
  int line;
  std::string message;
  std::string who;
  long count;
};

std::vector<Finding> &findings();

void report(const char *kind, int line, const std::string &message);

// Counts one more of an existing (kind, line) finding; false when there is none yet. Hot
// paths ask first so that a message is only formatted for a finding's first occurrence.
bool repeat(const char *kind, int line);

void report(const char *kind, const std::string &message);

std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

// A finding that makes going on pointless (a launch that cannot run): record it, write
// the outputs and stop.
[[noreturn]] inline void fatal(const char *kind, const std::string &message) {
  report(kind, message);
  finish(3);
  std::_Exit(3);
}

// ---------------------------------------------------------------------------- regions
enum Space : int { HOST = 0, GLOBAL, SHARED, CONSTANT, LOCAL, GDRAM, NRAM, WRAM, SRAM, LDRAM };
const char *space_name(int s);

// The race shadow of a race-checked region (shared memory, cluster-shared SRAM): who last
// wrote each byte and who read it, in which barrier epoch. Byte-exact: threads writing
// neighbouring 1- and 2-byte elements (int8, half) do not race, any access overlapping
// another thread's in the same barrier interval does. One cell stands for a whole 4-byte
// word as long as every access covers the word (floats, ints, vectors: one check per
// word); the first access to a part of a word gives its bytes cells of their own, copies
// of the word's ("split"). All zero is the empty state (a byte never accessed; epoch 0 is
// never current), so the shadow starts as zeroed memory, made at the region's first
// race-checked access.
struct RaceCell {
  uint32_t w_epoch, r_epoch;    // barrier epochs of the last write and of the reads
  int32_t w_wepoch, r_wepoch;   // the accessing warp's epoch then (a __syncwarp orders a warp)
  int16_t w_thread, r_thread;   // thread key + 1; 0: none; r_thread -1: read by several threads
  int16_t w_warp, r_warp;       // warp key (-1: none)
};

struct Region;
void race_shadow_free(Region *r);

struct Region {
  uintptr_t lo = 0, hi = 0;
  int space = GLOBAL;
  std::string name;
  std::vector<uint8_t> written;  // one byte per byte: 1 when written
  bool track_init = false;       // report reads of never-written bytes
  bool defer_init = false;       // ... unless an intrinsic running now defers them (see Taint)
  bool races = false;            // check races (shared memory)
  RaceCell *cells = nullptr;     // race shadow: one cell per 4-byte word...
  RaceCell *bcells = nullptr;    // ... one per byte, for the words accessed in parts
  uint8_t *split = nullptr;      // per word: 1 when its bytes have cells of their own
  size_t nwords = 0;
  int id = 0;
  int owner = -1;  // the block/core/cluster it belongs to (-1: everyone)
  bool watch = false;  // a byte of it is watched (g_watch)
  bool live = true;
  Region() = default;
  Region(const Region &) = delete;
  Region &operator=(const Region &) = delete;
  ~Region() { race_shadow_free(this); }
};

struct Regions {
  std::vector<Region *> sorted;
  Region *last = nullptr;
  int next_id = 1;

  Region *find(uintptr_t a) {
    if (last && a >= last->lo && a < last->hi) return last;
    auto it = std::upper_bound(sorted.begin(), sorted.end(), a, [](uintptr_t x, Region *r) { return x < r->lo; });
    if (it == sorted.begin()) return nullptr;
    Region *r = *(it - 1);
    if (a < r->hi) return last = r;
    return nullptr;
  }
  // Where an address outside every region lies, for messages: next to the nearest buffer
  // of its space (a red zone separates buffers, so an overrun lands just past one).
  std::string where_outside(uintptr_t a, int space) const {
    auto it = std::upper_bound(sorted.begin(), sorted.end(), a, [](uintptr_t x, Region *r) { return x < r->lo; });
    const Region *before = nullptr, *after = nullptr;
    for (auto j = it; j != sorted.begin();)
      if ((*--j)->space == space && (*j)->hi <= a) { before = *j; break; }
    for (auto j = it; j != sorted.end(); ++j)
      if ((*j)->space == space) { after = *j; break; }
    const size_t past = before ? a - before->hi : SIZE_MAX, ahead = after ? after->lo - a : SIZE_MAX;
    char buf[400];
    if (past <= ahead && past <= 65536)
      snprintf(buf, sizeof buf, "at byte %zu of '%s' (%zu bytes, %s), past its end", (size_t)(a - before->lo),
               before->name.c_str(), (size_t)(before->hi - before->lo), space_name(space));
    else if (ahead < past && ahead <= 65536)
      snprintf(buf, sizeof buf, "%zu byte%s before the start of '%s' (%zu bytes, %s)", ahead, ahead == 1 ? "" : "s",
               after->name.c_str(), (size_t)(after->hi - after->lo), space_name(space));
    else
      snprintf(buf, sizeof buf, "outside every %s buffer (address %p)", space_name(space), (void *)a);
    return buf;
  }
  Region *add(void *p, size_t bytes, int space, const std::string &name, bool written, bool track_init,
              bool races = false) {
    auto *r = new Region();
    r->lo = (uintptr_t)p;
    r->hi = r->lo + bytes;
    r->space = space;
    r->name = name;
    r->written.assign(bytes, written ? 1 : 0);
    r->track_init = track_init;
    r->races = races;
    r->id = next_id++;
    auto it = std::upper_bound(sorted.begin(), sorted.end(), r->lo, [](uintptr_t x, Region *q) { return x < q->lo; });
    sorted.insert(it, r);
    last = nullptr;
    return r;
  }
  void remove(Region *r) {
    auto it = std::find(sorted.begin(), sorted.end(), r);
    if (it != sorted.end()) sorted.erase(it);
    last = nullptr;
    delete r;
  }
};
inline Regions g_regions;

// Arenas: big lazily-committed mappings carved into red-zoned allocations. Any address
// inside an arena but outside every live region is an out-of-bounds access.
struct Arena {
  uint8_t *base = nullptr;
  size_t size = 0, used = 0;
  int space;
  const char *label;
  Arena(int s, size_t bytes, const char *l) : space(s), label(l) {
    size = bytes;
    void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      fprintf(stderr, "xpiler runtime: cannot reserve %zu bytes for the %s arena\n", bytes, l);
      std::_Exit(4);
    }
    base = (uint8_t *)p;
  }
  bool contains(uintptr_t a) const { return a >= (uintptr_t)base && a < (uintptr_t)base + size; }
  static constexpr size_t RED = 256;
  void *alloc(size_t bytes, size_t align = 256) {
    size_t start = (used + RED + align - 1) / align * align;
    if (start + bytes + RED > size) return nullptr;
    used = start + bytes;
    return base + start;
  }
  void reset() { used = 0; }
};

std::vector<Arena *> &arenas();
Arena *new_arena(int space, size_t bytes, const char *label);
// The arena each space allocates from (HOST by the core, the rest by the dialect runtime).
inline Arena *g_space_arena[16] = {};

inline Arena *arena_of(uintptr_t a) {
  for (auto *ar : arenas())
    if (ar->contains(a)) return ar;
  return nullptr;
}

// ---------------------------------------------------------------------------- on-chip storage
// Declarations in on-chip spaces (__shared__, __nram__, __wram__, __mlu_shared__) live once
// per block, core or cluster. The dialect runtime installs the hook that finds (or makes)
// the storage of declaration `id` for the running block/core; id -1 asks for the dynamic
// shared memory of the launch.
using OnchipHook = void *(*)(int space, int id, size_t bytes, const char *name, int line);
inline OnchipHook g_onchip_hook = nullptr;

void *onchip_storage(int space, int id, size_t bytes, const char *name, int line);
template <class T>
inline T &onchip(int space, int id, const char *name, int line) {
  return *(T *)onchip_storage(space, id, sizeof(T), name, line);
}
template <class T>
inline T *dynamic_onchip(int space, const char *name, int line) {
  return (T *)onchip_storage(space, -1, 0, name, line);
}
void *vla_onchip(int space, int id, const char *name, size_t bytes, int line);

// ---------------------------------------------------------------------------- race epochs
// Set by the dialect scheduler: the barrier epoch of the running block and of its warps.
inline uint32_t g_block_epoch = 1;
inline int32_t *g_warp_epochs = nullptr;  // indexed by warp_key

// ---------------------------------------------------------------------------- trace
struct TraceKey {
  int line, region, write;
  bool operator==(const TraceKey &o) const { return line == o.line && region == o.region && write == o.write; }
};
struct TraceHash {
  size_t operator()(const TraceKey &k) const { return (size_t)k.line * 1000003u ^ (size_t)k.region * 31u ^ k.write; }
};
inline bool g_trace = false;
inline std::unordered_map<TraceKey, std::vector<uint64_t>, TraceHash> g_trace_map;  // element byte offsets

// ---------------------------------------------------------------------------- watch
// Who last wrote a watched byte of an argument buffer (``option watch NAME:BYTE,...``):
// the line and the thread, block or task, and how many writes covered it. The oracle's
// port review names with it the statement that wrote a wrong element.
struct Watch {
  std::string buffer;
  size_t byte = 0;
  int line = 0;
  std::string who;
  long writes = 0;
  Region *region = nullptr;
};
inline std::vector<Watch> g_watch;
void watch_write(Region *r, size_t off, size_t bytes);

enum Mode : int { RD = 1, WR = 2, RW = 3, ADDR = 0 };

// A sink for accesses that fall outside every buffer: they go nowhere instead of
// corrupting a neighbour or crashing the emulator.
alignas(64) inline unsigned char g_sink[4096];

// Footprint of the intrinsic running now, when its operands must not overlap.
struct Footprint {
  bool on = false;
  std::vector<std::pair<uintptr_t, uintptr_t>> reads, writes;
};
inline Footprint g_footprint;

// Deferred never-written reads. A dialect may let an intrinsic compute on never-written
// bytes of its operands (BANG vector intrinsics work on padded tails, bang.md §2.3): the
// dialect runtime sets `defer_init` on those regions and turns `on` while the intrinsic
// runs. A read of a never-written byte of such a region is then not reported; it taints
// the values computed from it: the writes that follow it (up to the next read after a
// write) stay never-written, so the garbage is reported where scalar code reads it or it
// leaves the chip. Every other byte the intrinsic writes is marked written, and only those.
struct Taint {
  bool on = false;
  bool tainted = false;         // a never-written byte was read since the last group of writes
  bool wrote = false;           // a write happened since the last read
  const Region *from = nullptr;  // the first never-written read, for messages
  size_t from_byte = 0;
};
inline Taint g_taint;

// What a generated intrinsic does on return, set by a dialect runtime that follows an
// intrinsic from its prologue (BANG: its operands' deferred checks end here, not at the
// next intrinsic).
using IntrinsicEnd = void (*)();
inline IntrinsicEnd g_intrinsic_end = nullptr;
inline int g_intrinsic_depth = 0;

// ---------------------------------------------------------------------------- work counters (issue 18)
// What a run did, for bench/idiom.py and the cost models (xpiler.tune.cost), written to
// counters.json when the run ends (finish(): write_counters; Execution.counters in Python,
// whose docstring is the schema). Two kinds:
//   - work of generated intrinsics (runtime/gen.py puts a slot and a count in each one the
//     table's work() names): calls and amount (elements, lanes, multiply-accumulates, bytes)
//     per (intrinsic, family, element type). Cheap, so BANG counts it in every run; VNNI in
//     checked runs (its unchecked runs may be native).
//   - loads and stores through check() (per space; outside / inside generated intrinsics) and
//     scalar arithmetic (XP_OPS, emit.scalar_ops): only when asked (`option counters 1`,
//     execute(counters=True)) in a checked run, and only while device work runs
//     (g_counting: a BANG task, a GPU thread, a VNNI/C entry), so a run that does not ask pays
//     one test of a flag per access and per statement.
inline bool g_count_asked = false;  // option counters 1
inline bool g_counting = false;     // asked, and device work is running (the dialect sets it)
struct AccessCount {
  unsigned long long reads, read_bytes, writes, write_bytes;
};
inline AccessCount g_access[2][16] = {};  // [inside a generated intrinsic][Space]
inline unsigned long long g_scalar_ops = 0;
inline unsigned long long *g_ops_sink = &g_scalar_ops;  // BANG: the running task's
#define XP_OPS(k) (__builtin_expect(::xp::g_counting, 0) ? (void)(*::xp::g_ops_sink += (unsigned long long)(k)) : (void)0)

enum WorkKind : int { WK_COPY, WK_MOVE, WK_SET_OFFCHIP, WK_SET_ONCHIP, WK_VECTOR, WK_REDUCE, WK_MATMUL, WK_OTHER };
struct WorkSlot {
  const char *fn, *family, *type;
  int esize, kind;
  bool async;
  unsigned long long calls, amount;
};
inline WorkSlot g_work[512];
inline int g_nwork = 0;

// The slot of (intrinsic, family, element type); each generated intrinsic asks once (a
// function-local static). Families: dialects/*/intrinsics.py, work().
int work_slot(const char *fn, const char *family, const char *type, int esize);

__attribute__((always_inline)) inline void count_work(int slot, unsigned long long amount) {
  WorkSlot &w = g_work[slot];
  w.calls++;
  w.amount += amount;
}

// The dialect's part of counters.json (keys after the common ones, each line starting ",\n ").
inline void (*g_dialect_counters)(FILE *f) = nullptr;

// Declared first in every generated intrinsic that touches memory (runtime/gen.py), so
// that it ends after the rest of the prologue's guards (NoOverlap). `value`: the intrinsic
// returns a value computed from its operands; computed from a never-written byte, that is
// an uninitialised read here, since nothing will carry the taint on.
struct IntrinsicScope {
  const char *fn;
  bool value;
  IntrinsicScope(const char *f, bool returns_value);
  ~IntrinsicScope();
};

// Check an access of `bytes` bytes at `p`; return where to access (p, or the sink).
void *check(const void *p, size_t bytes, int mode);

// Range check for intrinsics and copies: `bytes` bytes at p, read or written.
bool check_range(const void *p, size_t bytes, int mode, const char *what);

// Within an intrinsic whose operands must not overlap: no byte it reads may be one it writes.
struct NoOverlap {
  const char *fn;
  explicit NoOverlap(const char *f);
  ~NoOverlap();
};

int space_of(const void *p);

// An intrinsic operand must point into one of `spaces` ("nram", "nram|wram", "global|shared").
void check_space(const void *p, const char *spaces, const char *fn, const char *param);

// Instrumented accesses (emit.py prints these): element `i` of `base`, read or written.
// An access covers the bytes of its type; an array-typed place (a row, an array member
// used as a value) is an address, not an access.
template <class P, class I>
inline auto &at(P base, I i, int mode) {
  auto *p = &base[i];
  using T = std::remove_reference_t<decltype(*p)>;
  if constexpr (std::is_array_v<T>) return *p;
  else return *(T *)check((const void *)p, sizeof(T), mode);
}
template <class P>
inline auto &deref(P p, int mode) {
  using T = std::remove_reference_t<decltype(*p)>;
  if constexpr (std::is_array_v<T>) return *p;
  else return *(T *)check((const void *)&*p, sizeof(T), mode);
}
// b[i] where b is in memory and its type known only to g++ (emit.py's XP_I*): an array
// member's element, an element through a pointer member (the pointer read too), a GCC
// vector's lane; a class's operator[] is its own business (unchecked).
template <class B, class I>
inline decltype(auto) at_typed(B &&b, I i, int mode) {
  using T = std::remove_cv_t<std::remove_reference_t<B>>;
  if constexpr (std::is_array_v<T>) {
    return at(b, i, mode);
  } else if constexpr (std::is_pointer_v<T>) {
    if constexpr (std::is_lvalue_reference_v<B &&>) check((const void *)&b, sizeof(T), RD);
    return at(b, i, mode);
  } else if constexpr (std::is_class_v<T> || std::is_union_v<T> || std::is_arithmetic_v<T>) {
    return b[i];
  } else {  // a GCC vector: lane i
    using E = std::remove_cv_t<std::remove_reference_t<decltype(b[0])>>;
    return at((E *)&b, i, mode);
  }
}

#if XP_CHECKS
#define XP_RD(b, i) (::xp::at((b), (i), ::xp::RD))
#define XP_WR(b, i) (::xp::at((b), (i), ::xp::WR))
#define XP_RW(b, i) (::xp::at((b), (i), ::xp::RW))
#define XP_DRD(p) (::xp::deref((p), ::xp::RD))
#define XP_DWR(p) (::xp::deref((p), ::xp::WR))
#define XP_DRW(p) (::xp::deref((p), ::xp::RW))
#define XP_IRD(b, i) (::xp::at_typed((b), (i), ::xp::RD))
#define XP_IWR(b, i) (::xp::at_typed((b), (i), ::xp::WR))
#define XP_IRW(b, i) (::xp::at_typed((b), (i), ::xp::RW))
#else
#define XP_RD(b, i) ((b)[i])
#define XP_WR(b, i) ((b)[i])
#define XP_RW(b, i) ((b)[i])
#define XP_DRD(p) (*(p))
#define XP_DWR(p) (*(p))
#define XP_DRW(p) (*(p))
#define XP_IRD(b, i) ((b)[i])
#define XP_IWR(b, i) ((b)[i])
#define XP_IRW(b, i) ((b)[i])
#endif

// ---------------------------------------------------------------------------- fibers
// Cooperative fibers with a hand-written x86-64 context switch (callee-saved registers,
// MXCSR and the x87 control word), much cheaper than swapcontext.
extern "C" void xp_switch(void **save_sp, void *load_sp);


struct Fiber;
inline Fiber *g_fiber = nullptr;     // the fiber running now (nullptr: the scheduler)
inline void *g_sched_sp = nullptr;   // the scheduler's saved stack pointer

struct Fiber {
  void *sp = nullptr;
  uint8_t *stack = nullptr;
  size_t stack_size = 0;
  bool done = false;
  void (*entry)(void *) = nullptr;
  void *arg = nullptr;
};

extern "C" inline void xp_fiber_trampoline() {
  Fiber *f = g_fiber;
  f->entry(f->arg);
  f->done = true;
  xp_switch(&f->sp, g_sched_sp);
  __builtin_unreachable();
}

struct StackPool {
  std::vector<uint8_t *> free_stacks;
  size_t size = 256 * 1024;
  uint8_t *get() {
    if (!free_stacks.empty()) {
      uint8_t *s = free_stacks.back();
      free_stacks.pop_back();
      return s;
    }
    void *p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
      fprintf(stderr, "xpiler runtime: out of memory for fiber stacks\n");
      std::_Exit(4);
    }
    mprotect(p, 4096, PROT_NONE);  // guard page: a stack overflow faults instead of corrupting
    return (uint8_t *)p;
  }
  void put(uint8_t *s) { free_stacks.push_back(s); }
};
inline StackPool g_stacks;

void fiber_init(Fiber &f, void (*entry)(void *), void *arg);

void fiber_release(Fiber &f);

// Run fiber f until it yields or finishes. Returns true when it finished.
inline bool fiber_resume(Fiber &f) {
  g_fiber = &f;
  xp_switch(&g_sched_sp, f.sp);
  g_fiber = nullptr;
  return f.done;
}

// Called from inside a fiber: go back to the scheduler.
inline void fiber_yield() {
  Fiber *f = g_fiber;
  xp_switch(&f->sp, g_sched_sp);
}

// ---------------------------------------------------------------------------- heap
// malloc and friends called by kernels and host code (emit.py routes them here): host
// arena buffers with red zones; malloc'd bytes start never-written, calloc'd ones zero.
void *heap_alloc(size_t bytes, size_t align, bool zero, const char *what);
void heap_free(void *p);
void *libc_malloc(size_t n);
void *libc_calloc(size_t n, size_t m);
void *libc_aligned_alloc(size_t al, size_t n);
void *libc_mm_malloc(size_t n, size_t al);
int libc_posix_memalign(void **out, size_t al, size_t n);
void libc_free(void *p);
void *libc_memset(void *p, int v, size_t n);
void *libc_memcpy(void *d, const void *s, size_t n);
void *libc_memmove(void *d, const void *s, size_t n);
void libc_mm_free(void *p);
void *libc_realloc(void *p, size_t n);

// ---------------------------------------------------------------------------- driver I/O
// The driver reads `input.txt` (one item a line: `buffer NAME BYTES FILE`, `scalar NAME
// VALUE`, `launch KEY V1 V2 V3`, `option KEY VALUE`) and writes, in the output directory,
// NAME.bin (final contents), NAME.written (one byte per byte), findings.jsonl, trace.jsonl
// and status.txt.
struct Input {
  struct Buf {
    std::string name, file;
    size_t bytes;
  };
  std::vector<Buf> buffers;
  std::unordered_map<std::string, std::string> scalars, options;
  std::unordered_map<std::string, std::vector<long>> launch;
};

inline Input g_input;
inline std::string g_outdir = ".";

struct OutBuf {
  std::string name;
  void *data;
  size_t bytes;
  Region *region;
};
inline std::vector<OutBuf> g_outputs;

void load_input(const char *path);

std::string option(const char *key, const char *dflt);

const Input::Buf &input_buffer(const char *name);

template <class T>
inline T scalar(const char *name) {
  auto it = g_input.scalars.find(name);
  if (it == g_input.scalars.end()) {
    fprintf(stderr, "xpiler runtime: no value given for scalar argument '%s'\n", name);
    std::_Exit(4);
  }
  const char *s = it->second.c_str();
  if constexpr (std::is_floating_point_v<T> || std::is_same_v<T, _Float16>) return (T)strtod(s, nullptr);
  else if constexpr (std::is_unsigned_v<T>) return (T)strtoull(s, nullptr, 0);
  else return (T)strtoll(s, nullptr, 0);
}

// Read a buffer argument's file into memory the caller allocated, register it.
void *load_buffer(const char *name, void *dst, int space);

void json_str(FILE *f, const std::string &s);

// ---------------------------------------------------------------------------- start-up
// One arena per space the dialect allocates kernel arguments in; the dialect runtime's
// start hook creates its own (global memory, GDRAM) and on-chip arenas.
inline void (*g_dialect_start)() = nullptr;

void start();

void *arena_alloc(int space, size_t bytes, const char *name, bool track_init);

// A kernel argument: its input file, loaded into a fresh buffer of `space`.
void *load_arg(const char *name, int space);

inline bool g_finished = false;
void finish(int status);

}  // namespace xp

// ---------------------------------------------------------------------------- definitions
// Compiled once into the runtime object (xp_runtime.cpp defines XP_RUNTIME_IMPL), not in
// every kernel's translation unit: kernels compile in a fraction of the time.
#ifdef XP_RUNTIME_IMPL
#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
namespace xp {
asm(R"(
.text
.globl xp_switch
.type xp_switch,@function
xp_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
.size xp_switch,.-xp_switch
)");
std::vector<Finding> &findings() {
  static std::vector<Finding> f;
  return f;
}

bool repeat(const char *kind, int line) {
  for (auto &f : findings()) {
    if (f.kind == kind && f.line == line) {  // one finding per kind and line, counted
      f.count++;
      return true;
    }
  }
  return false;
}

void report(const char *kind, int line, const std::string &message) {
  if (!repeat(kind, line)) findings().push_back({kind, line, message, cur->who, 1});
}

void report(const char *kind, const std::string &message) { report(kind, cur->line, message); }

std::string fmt(const char *f, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, f);
  vsnprintf(buf, sizeof buf, f, ap);
  va_end(ap);
  return buf;
}

const char *space_name(int s) {
  static const char *n[] = {"host", "global", "shared", "constant", "local", "gdram", "nram", "wram", "sram", "ldram"};
  return (s >= 0 && s < 10) ? n[s] : "?";
}

std::vector<Arena *> &arenas() {
  static std::vector<Arena *> a;
  return a;
}

Arena *new_arena(int space, size_t bytes, const char *label) {
  auto *a = new Arena(space, bytes, label);
  arenas().push_back(a);
  return a;
}

void *onchip_storage(int space, int id, size_t bytes, const char *name, int line) {
  if (!g_onchip_hook) {
    fprintf(stderr, "xpiler runtime: %s memory declared outside a kernel launch ('%s', line %d)\n",
            space_name(space), name, line);
    std::_Exit(4);
  }
  return g_onchip_hook(space, id, bytes, name, line);
}

void *vla_onchip(int space, int id, const char *name, size_t bytes, int line) {
  return onchip_storage(space, id, bytes, name, line);
}

// Zeroed memory for a race shadow: small ones from the heap, large ones as fresh pages
// (zero until touched, so a big SRAM or shared buffer costs only what a kernel accesses).
static constexpr size_t kShadowMap = 256 * 1024;
static void *shadow_alloc(size_t bytes, const Region *r) {
  void *m;
  if (bytes >= kShadowMap) {
    m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) m = nullptr;
  } else {
    m = calloc(1, bytes ? bytes : 1);
  }
  if (!m) {
    fprintf(stderr, "xpiler runtime: out of memory for the race shadow of '%s'\n", r->name.c_str());
    std::_Exit(4);
  }
  return m;
}
static void shadow_free(void *m, size_t bytes) {
  if (!m) return;
  if (bytes >= kShadowMap) munmap(m, bytes);
  else free(m);
}

void race_shadow_free(Region *r) {
  shadow_free(r->cells, r->nwords * sizeof(RaceCell));
  shadow_free(r->bcells, r->nwords * 4 * sizeof(RaceCell));
  shadow_free(r->split, r->nwords);
  r->cells = r->bcells = nullptr;
  r->split = nullptr;
  r->nwords = 0;
}

// Word `wd` is accessed in part: its bytes get cells of their own, copies of the word's.
static void race_split(Region *r, size_t wd) {
  if (!r->split) {
    r->split = (uint8_t *)shadow_alloc(r->nwords, r);
    r->bcells = (RaceCell *)shadow_alloc(r->nwords * 4 * sizeof(RaceCell), r);
  }
  for (int k = 0; k < 4; ++k) r->bcells[wd * 4 + k] = r->cells[wd];
  r->split[wd] = 1;
}

// One cell of an access's race check: a read or write of a byte another thread wrote in the
// same barrier interval, or a write of a byte another thread read in it, is a race, unless
// a __syncwarp (or another warp collective) ordered the two threads of one warp. Returns
// 0, or 1 (it races with a write by thread *other) or 2 (a write races with a read); the
// cell records the access either way. Scalars in, so that -O1 keeps them in registers.
__attribute__((always_inline)) static inline int race_cell(RaceCell &c, int mode, uint32_t E, int16_t me, int16_t mw,
                                                           bool warp, int32_t we, int *other) {
  int hit = 0;
  if (c.w_epoch == E && c.w_thread > 0 && c.w_thread != me && !(warp && c.w_warp == mw && c.w_wepoch != we)) {
    hit = 1;
    *other = c.w_thread - 1;
  } else if ((mode & WR) && c.r_epoch == E && c.r_thread != 0 && c.r_thread != me) {
    hit = 2;  // read by another thread, or by several (-1)
    if (c.r_thread > 0 && warp && c.r_warp == mw && c.r_wepoch != we) hit = 0;
  }
  if (mode & WR) {
    c.w_epoch = E, c.w_thread = me, c.w_warp = mw, c.w_wepoch = we;
  } else {
    if (c.r_epoch != E || c.r_thread == 0) c.r_thread = me;
    else if (c.r_thread != me) c.r_thread = -1;
    c.r_epoch = E, c.r_warp = mw, c.r_wepoch = we;
  }
  return hit;
}

// The race check of one access: cell by cell (a word's, or its bytes' once split); one
// finding per access, at its first racing byte.
static void race_access(Region *r, size_t off, size_t bytes, int mode) {
  const size_t size = (size_t)(r->hi - r->lo), end = std::min(off + bytes, size);
  if (!r->cells) {
    r->nwords = (size + 3) / 4;
    r->cells = (RaceCell *)shadow_alloc(r->nwords * sizeof(RaceCell), r);
  }
  const int t = cur->thread_key, wk = cur->warp_key;
  const uint32_t E = g_block_epoch;
  const bool warp = wk >= 0;
  const int32_t we = (g_warp_epochs && warp) ? g_warp_epochs[wk] : 0;
  const int16_t me = (int16_t)(t < 32766 ? t + 1 : 32767), mw = (int16_t)(wk < 32767 ? wk : 32767);
  int hit = 0, other = 0, o = 0;
  size_t at = 0;
  for (size_t wd = off / 4; wd * 4 < end; ++wd) {
    const size_t b0 = std::max(off, wd * 4), b1 = std::min(end, wd * 4 + 4);
    if (!r->split || !r->split[wd]) {
      if (b1 - b0 == 4) {  // the whole word
        int h = race_cell(r->cells[wd], mode, E, me, mw, warp, we, &o);
        if (h && !hit) hit = h, at = b0, other = o;
        continue;
      }
      race_split(r, wd);
    }
    for (size_t b = b0; b < b1; ++b) {
      int h = race_cell(r->bcells[b], mode, E, me, mw, warp, we, &o);
      if (h && !hit) hit = h, at = b, other = o;
    }
  }
  if (hit && !repeat("race", cur->line)) {
    if (hit == 1)
      report("race", fmt("%s of '%s' at byte %zu races with a write by thread %d in the same barrier interval",
                         mode & WR ? "write" : "read", r->name.c_str(), at, other));
    else
      report("race", fmt("write of '%s' at byte %zu races with a read by another thread in the same barrier "
                         "interval", r->name.c_str(), at));
  }
}

__attribute__((noinline)) static void count_access(const Region *r, size_t bytes, int mode) {
  AccessCount &c = g_access[g_intrinsic_depth > 0][r->space & 15];
  if (mode & RD) c.reads++, c.read_bytes += bytes;
  if (mode & WR) c.writes++, c.write_bytes += bytes;
}

int work_slot(const char *fn, const char *family, const char *type, int esize) {
  for (int i = 0; i < g_nwork; ++i)
    if (!strcmp(g_work[i].fn, fn) && !strcmp(g_work[i].family, family) && !strcmp(g_work[i].type, type)) return i;
  if (g_nwork == 512) {
    fprintf(stderr, "xpiler runtime: more than 512 work counters; %s counted under the last\n", fn);
    return 511;
  }
  WorkSlot &w = g_work[g_nwork];
  w.fn = fn, w.family = family, w.type = type, w.esize = esize;
  w.async = !strcmp(fn, "__memcpy_async");
  if (!strcmp(family, "copy")) w.kind = WK_COPY;
  else if (!strcmp(family, "move")) w.kind = WK_MOVE;
  else if (!strcmp(family, "set.gdram") || !strcmp(family, "set.ldram")) w.kind = WK_SET_OFFCHIP;
  else if (!strncmp(family, "set.", 4)) w.kind = WK_SET_ONCHIP;
  else if (!strcmp(family, "reduce")) w.kind = WK_REDUCE;
  else if (!strcmp(family, "matmul")) w.kind = WK_MATMUL;
  else if (!strcmp(family, "vector") || !strcmp(family, "fill") || !strcmp(family, "layout")) w.kind = WK_VECTOR;
  else w.kind = WK_OTHER;
  return g_nwork++;
}

static void write_counters(const std::string &d) {
  FILE *f = fopen((d + "counters.json").c_str(), "w");
  if (!f) return;
  fprintf(f, "{\"checked\": %s, \"counted\": %s, \"units_ran\": %lld, \"units_skipped\": %lld,\n \"work\": [",
          XP_CHECKS ? "true" : "false", g_count_asked ? "true" : "false", g_progress.ran, g_progress.skipped);
  for (int i = 0; i < g_nwork; ++i) {
    const WorkSlot &w = g_work[i];
    fprintf(f, "%s\n  {\"intrinsic\": ", i ? "," : "");
    json_str(f, w.fn);
    fprintf(f, ", \"family\": ");
    json_str(f, w.family);
    fprintf(f, ", \"type\": ");
    json_str(f, w.type);
    fprintf(f, ", \"elem_bytes\": %d, \"calls\": %llu, \"amount\": %llu}", w.esize, w.calls, w.amount);
  }
  fprintf(f, "],\n \"access\": {");
  for (int k = 0; k < 2; ++k) {
    fprintf(f, "%s\"%s\": {", k ? ", " : "", k ? "intrinsic" : "plain");
    bool first = true;
    for (int s = 0; s < 16; ++s) {
      const AccessCount &c = g_access[k][s];
      if (!c.reads && !c.writes) continue;
      fprintf(f, "%s\"%s\": {\"reads\": %llu, \"read_bytes\": %llu, \"writes\": %llu, \"write_bytes\": %llu}",
              first ? "" : ", ", space_name(s), c.reads, c.read_bytes, c.writes, c.write_bytes);
      first = false;
    }
    fputs("}", f);
  }
  fprintf(f, "},\n \"scalar_ops\": %llu", g_scalar_ops);
  if (g_dialect_counters) g_dialect_counters(f);
  fputs("}\n", f);
  fclose(f);
}

void *check(const void *p, size_t bytes, int mode) {
  uintptr_t a = (uintptr_t)p;
  if (g_footprint.on) (mode & WR ? g_footprint.writes : g_footprint.reads).push_back({a, a + bytes});
  Region *r = g_regions.find(a);
  if (!r) {
    Arena *ar = arena_of(a);
    if (ar) {
      const char *kind = mode & WR ? "out-of-bounds-write" : "out-of-bounds-read";
      if (!repeat(kind, cur->line))
        report(kind,
             fmt("%s of %zu byte%s %s", mode & WR ? "write" : "read", bytes, bytes == 1 ? "" : "s",
                 g_regions.where_outside(a, ar->space).c_str()));  // the finding adds who did it
      memset(g_sink, 0, bytes < sizeof g_sink ? bytes : sizeof g_sink);
      return g_sink;
    }
    return (void *)p;  // stack or host memory we do not track
  }
  if (a + bytes > r->hi) {
    const char *kind = mode & WR ? "out-of-bounds-write" : "out-of-bounds-read";
    if (!repeat(kind, cur->line))
      report(kind,
           fmt("%s of %zu byte%s at byte %zu of '%s' (%zu bytes, %s)", mode & WR ? "write" : "read", bytes,
               bytes == 1 ? "" : "s", (size_t)(a - r->lo), r->name.c_str(), (size_t)(r->hi - r->lo), space_name(r->space)));
    return g_sink;
  }
  size_t off = a - r->lo;
  Taint &tn = g_taint;
  if ((mode & RD) && tn.on && tn.wrote) tn.tainted = tn.wrote = false;  // a new value starts
  if ((mode & RD) && r->track_init) {
    const uint8_t *w = r->written.data() + off;
    for (size_t i = 0; i < bytes; ++i)
      if (!w[i]) {
        if (tn.on && r->defer_init) {
          if (!tn.tainted) tn.tainted = true, tn.from = r, tn.from_byte = off + i;
        } else if (!repeat("uninitialized-read", cur->line)) {
          report("uninitialized-read", fmt("read of '%s' at byte %zu, which was never written (%s memory)",
                                         r->name.c_str(), off + i, space_name(r->space)));
        }
        break;
      }
  }
  if (mode & WR) {
    memset(r->written.data() + off, tn.on && tn.tainted ? 0 : 1, bytes);
    if (tn.on) tn.wrote = true;
  }
  if ((mode & WR) && r->watch) watch_write(r, off, bytes);
  if (__builtin_expect(g_counting, 0)) count_access(r, bytes, mode);
  if (r->races && cur->thread_key >= 0) race_access(r, off, bytes, mode);
  if (g_trace) g_trace_map[{cur->line, r->id, (mode & WR) ? 1 : 0}].push_back(off);
  return (void *)p;
}

bool check_range(const void *p, size_t bytes, int mode, const char *what) {
  if (bytes == 0) return true;
  uintptr_t a = (uintptr_t)p;
  Region *r = g_regions.find(a);
  if (!r) {
    if (arena_of(a)) {
      report(mode & WR ? "out-of-bounds-write" : "out-of-bounds-read",
             fmt("%s: %zu bytes %s", what, bytes, g_regions.where_outside(a, arena_of(a)->space).c_str()));
      return false;
    }
    return true;
  }
  if (a + bytes > r->hi) {
    report(mode & WR ? "out-of-bounds-write" : "out-of-bounds-read",
           fmt("%s: %zu bytes from byte %zu of '%s' run past its end (%zu bytes)", what, bytes, (size_t)(a - r->lo),
               r->name.c_str(), (size_t)(r->hi - r->lo)));
    return false;
  }
  size_t off = a - r->lo;
  if ((mode & RD) && r->track_init) {
    for (size_t i = 0; i < bytes; ++i)
      if (!r->written[off + i]) {
        report("uninitialized-read", fmt("%s reads '%s' at byte %zu, which was never written (%s memory)", what,
                                         r->name.c_str(), off + i, space_name(r->space)));
        break;
      }
  }
  if (mode & WR) memset(r->written.data() + off, 1, bytes);
  if ((mode & WR) && r->watch) watch_write(r, off, bytes);
  if (g_trace)
    for (size_t i = 0; i < bytes; i += 4) g_trace_map[{cur->line, r->id, (mode & WR) ? 1 : 0}].push_back(off + i);
  return true;
}

int space_of(const void *p) {
  Region *r = g_regions.find((uintptr_t)p);
  if (r) return r->space;
  Arena *a = arena_of((uintptr_t)p);
  return a ? a->space : LOCAL;
}

void check_space(const void *p, const char *spaces, const char *fn, const char *param) {
  int s = space_of(p);
  const char *name = space_name(s);
  const char *q = spaces;
  size_t n = strlen(name);
  while (*q) {
    const char *bar = strchr(q, '|');
    size_t len = bar ? (size_t)(bar - q) : strlen(q);
    if (len == n && !strncmp(q, name, n)) return;
    if (s == LOCAL && len == 5 && !strncmp(q, "local", 5)) return;
    q += len + (bar ? 1 : 0);
    if (!bar) break;
  }
  report("operand-space", fmt("%s: operand '%s' must point into %s memory but points into %s memory", fn, param,
                              spaces, s == LOCAL ? "untracked (stack or host)" : name));
}

void fiber_init(Fiber &f, void (*entry)(void *), void *arg) {
  f.stack = g_stacks.get();
  f.stack_size = g_stacks.size;
  f.entry = entry;
  f.arg = arg;
  f.done = false;
  uintptr_t top = ((uintptr_t)(f.stack + f.stack_size)) & ~(uintptr_t)15;
  uint64_t *s = (uint64_t *)top;
  *--s = 0;                                   // alignment: rsp % 16 == 8 at trampoline entry
  *--s = (uint64_t)(void *)&xp_fiber_trampoline;  // "return address" of the first switch
  for (int i = 0; i < 6; ++i) *--s = 0;       // rbp rbx r12 r13 r14 r15
  *--s = 0x037F00001F80ull;                   // MXCSR 0x1F80, x87 control word 0x037F
  f.sp = s;
}

void fiber_release(Fiber &f) {
  if (f.stack) g_stacks.put(f.stack);
  f.stack = nullptr;
}

void *heap_alloc(size_t bytes, size_t align, bool zero, const char *what) {
  Arena *a = g_space_arena[HOST];
  void *p = a ? a->alloc(bytes ? bytes : 1, align < 16 ? 16 : align) : nullptr;
  if (!p) return nullptr;
  if (zero) memset(p, 0, bytes);
  else memset(p, 0xFF, bytes);
  g_regions.add(p, bytes, HOST, fmt("%s@line %d", what, cur->line), zero, !zero);
  return p;
}

void heap_free(void *p) {
  if (!p) return;
  Region *r = g_regions.find((uintptr_t)p);
  if (r && r->lo == (uintptr_t)p && r->space == HOST) g_regions.remove(r);
}

void *libc_malloc(size_t n) { return heap_alloc(n, 16, false, "malloc"); }

void *libc_calloc(size_t n, size_t m) { return heap_alloc(n * m, 16, true, "calloc"); }

void *libc_aligned_alloc(size_t al, size_t n) { return heap_alloc(n, al, false, "aligned_alloc"); }

void *libc_mm_malloc(size_t n, size_t al) { return heap_alloc(n, al, false, "_mm_malloc"); }

int libc_posix_memalign(void **out, size_t al, size_t n) {
  *out = heap_alloc(n, al, false, "posix_memalign");
  return *out ? 0 : 12;
}

void libc_free(void *p) { heap_free(p); }

void *libc_memset(void *p, int v, size_t n) {
  if (!check_range(p, n, WR, "memset")) return p;
  return memset(p, v, n);
}

void *libc_memcpy(void *d, const void *s, size_t n) {
  if (!check_range(s, n, RD, "memcpy") || !check_range(d, n, WR, "memcpy")) return d;
  return memmove(d, s, n);
}

void *libc_memmove(void *d, const void *s, size_t n) {
  if (!check_range(s, n, RD, "memmove") || !check_range(d, n, WR, "memmove")) return d;
  return memmove(d, s, n);
}

void libc_mm_free(void *p) { heap_free(p); }

void *libc_realloc(void *p, size_t n) {
  void *q = heap_alloc(n, 16, false, "realloc");
  Region *r = p ? g_regions.find((uintptr_t)p) : nullptr;
  if (r && q) {
    size_t k = std::min(n, (size_t)(r->hi - r->lo));
    memcpy(q, p, k);
    Region *rq = g_regions.find((uintptr_t)q);
    if (rq) memset(rq->written.data(), 1, k);
  }
  heap_free(p);
  return q;
}

void load_input(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "xpiler runtime: cannot read %s\n", path);
    std::_Exit(4);
  }
  char kind[32], name[256], a[1024], b[1024], c[64];
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    if (sscanf(line, "%31s", kind) != 1) continue;
    if (!strcmp(kind, "buffer") && sscanf(line, "%*s %255s %1023s %1023s", name, a, b) == 3)
      g_input.buffers.push_back({name, b, (size_t)strtoull(a, nullptr, 10)});
    else if (!strcmp(kind, "scalar") && sscanf(line, "%*s %255s %1023s", name, a) == 2)
      g_input.scalars[name] = a;
    else if (!strcmp(kind, "option") && sscanf(line, "%*s %255s %1023s", name, a) == 2)
      g_input.options[name] = a;
    else if (!strcmp(kind, "launch")) {
      long v[3] = {1, 1, 1};
      int n = sscanf(line, "%*s %255s %ld %ld %ld", name, &v[0], &v[1], &v[2]);
      (void)c;
      if (n >= 2) g_input.launch[name] = std::vector<long>(v, v + 3);
    }
  }
  fclose(f);
  g_trace = g_input.options.count("trace") && g_input.options["trace"] == "1";
  if (g_input.options.count("watch")) {  // NAME:BYTE,NAME:BYTE,...
    std::string spec = g_input.options["watch"];
    size_t at = 0;
    while (at < spec.size()) {
      size_t end = spec.find(',', at), colon = spec.find(':', at);
      if (end == std::string::npos) end = spec.size();
      if (colon != std::string::npos && colon < end) {
        Watch w;
        w.buffer = spec.substr(at, colon - at);
        w.byte = (size_t)strtoull(spec.c_str() + colon + 1, nullptr, 10);
        g_watch.push_back(w);
      }
      at = end + 1;
    }
  }
}

void watch_write(Region *r, size_t off, size_t bytes) {
  for (Watch &w : g_watch)
    if (w.region == r && w.byte >= off && w.byte < off + bytes) {
      w.line = cur->line;
      w.who = cur->who;
      ++w.writes;
    }
}

std::string option(const char *key, const char *dflt) {
  auto it = g_input.options.find(key);
  return it == g_input.options.end() ? dflt : it->second;
}

const Input::Buf &input_buffer(const char *name) {
  for (auto &b : g_input.buffers)
    if (b.name == name) return b;
  fprintf(stderr, "xpiler runtime: no buffer given for argument '%s'\n", name);
  std::_Exit(4);
}

void *load_buffer(const char *name, void *dst, int space) {
  const auto &b = input_buffer(name);
  FILE *f = fopen(b.file.c_str(), "rb");
  if (!f || fread(dst, 1, b.bytes, f) != b.bytes) {
    fprintf(stderr, "xpiler runtime: cannot read %s for '%s'\n", b.file.c_str(), name);
    std::_Exit(4);
  }
  fclose(f);
  Region *r = g_regions.add(dst, b.bytes, space, name, true, false);
  std::fill(r->written.begin(), r->written.end(), 0);  // inputs are initialised; track writes
  for (size_t i = 0; i < g_watch.size(); ++i)
    if (g_watch[i].buffer == name && g_watch[i].byte < b.bytes) g_watch[i].region = r, r->watch = true;
  r->track_init = false;
  g_outputs.push_back({name, dst, b.bytes, r});
  return dst;
}

void json_str(FILE *f, const std::string &s) {
  fputc('"', f);
  for (char ch : s) {
    if (ch == '"' || ch == '\\') fputc('\\', f), fputc(ch, f);
    else if ((unsigned char)ch < 32) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

double now_seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void launch_begin(const char *unit, long long total) {
  Progress &P = g_progress;
  P.unit = unit;
  P.total = total;
  P.done = 0;
  P.launches++;
  P.launch_start = now_seconds();
  P.chosen.clear();
  if (P.sample > 0 && P.sample < total) {  // K units spread evenly, the first and the last included
    const long long k = P.sample;
    for (long long i = 0; i < k; ++i)
      P.chosen.push_back(k == 1 ? 0 : (long long)((long double)i * (total - 1) / (k - 1) + 0.5L));
    P.chosen.erase(std::unique(P.chosen.begin(), P.chosen.end()), P.chosen.end());
  }
}

bool launch_unit(long long index) {
  Progress &P = g_progress;
  if (P.chosen.empty() || std::binary_search(P.chosen.begin(), P.chosen.end(), index)) return true;
  P.done++;
  P.skipped++;
  return false;
}

void launch_unit_done() {
  Progress &P = g_progress;
  P.done++;
  P.ran++;
  if (g_stop) stop_now();
  if (P.budget > 0 && P.chosen.empty() && P.done < P.total) {
    const double el = now_seconds() - P.launch_start;
    if (el >= P.probe_after && el / (double)P.done * (double)P.total > P.budget) {
      g_stopped = "budget";
      P.seconds += el;
      P.launch_start = 0;
      finish(125);
      std::_Exit(125);
    }
  }
}

void launch_end() {
  Progress &P = g_progress;
  if (P.launch_start > 0) P.seconds += now_seconds() - P.launch_start;
  P.launch_start = 0;
}

namespace {
// A fixed buffer and hand-made number formatting: write_progress runs in signal handlers.
struct SafeText {
  char b[2048];
  size_t n = 0;
  void s(const char *t) {
    while (t && *t && n + 1 < sizeof b) b[n++] = *t++;
  }
  void i(long long v) {
    char d[24];
    int k = 0;
    bool neg = v < 0;
    unsigned long long u = neg ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do d[k++] = (char)('0' + u % 10); while ((u /= 10) && k < 23);
    if (neg) s("-");
    while (k && n + 1 < sizeof b) b[n++] = d[--k];
  }
};
}  // namespace

void write_progress() {
  const Progress &P = g_progress;
  SafeText path;
  path.s(g_outdir.c_str());
  path.s("/progress.txt");
  path.b[path.n] = 0;
  SafeText t;
  t.s("unit ");
  t.s(P.unit ? P.unit : "-");
  t.s("\ntotal "), t.i(P.total);
  t.s("\ndone "), t.i(P.done);
  t.s("\nran "), t.i(P.ran);
  t.s("\nskipped "), t.i(P.skipped);
  t.s("\nlaunches "), t.i(P.launches);
  double sec = P.seconds + (P.launch_start > 0 ? now_seconds() - P.launch_start : 0.0);
  t.s("\nms "), t.i((long long)(sec * 1000));
  t.s("\nline "), t.i(cur ? cur->line : 0);
  t.s("\nwho ");
  if (cur) {
    char w[sizeof cur->who + 1];
    size_t k = 0;
    for (; k < sizeof cur->who && cur->who[k]; ++k) w[k] = cur->who[k] == '\n' ? ' ' : cur->who[k];
    w[k] = 0;
    t.s(w);
  }
  t.s("\nstopped ");
  t.s(g_stopped && *g_stopped ? g_stopped : "-");
  t.s("\n");
  int fd = open(path.b, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    ssize_t r = write(fd, t.b, t.n);
    (void)r;
    close(fd);
  }
}

void stop_now() {
  g_stop = 0;  // finish() runs code that records lines
  const int code = strcmp(g_stopped, "budget") ? 124 : 125;
  finish(code);
  std::_Exit(code);
}

// The caller's timeout (SIGTERM, before its SIGKILL) or the run's deadline (SIGALRM): say
// how far the run got at once; a checked run then stops at its next statement with its
// findings so far, an unchecked one (which does not poll) ends here.
static void on_stop_signal(int sig) {
  g_stopped = sig == SIGALRM ? g_alarm_reason : "timeout";
  write_progress();
#if XP_CHECKS
  g_stop = sig == SIGALRM ? 2 : 1;
#else
  _exit(sig == SIGALRM && !strcmp(g_alarm_reason, "budget") ? 125 : 124);
#endif
}

// A fault in the program (an access far outside every buffer: an unsigned index that
// wrapped around, a wild pointer; or a fiber's stack overflowing) becomes a finding at the
// line running, with who ran it; then the signal takes its course, so the caller still sees
// a crash. It runs on its own stack, since a fiber's may be the one that overflowed.
static void on_fault(int sig, siginfo_t *si, void *uctx) {
  static volatile sig_atomic_t entered = 0;
  if (!entered) {
    entered = 1;
    bool write = false, stack = false;
#if defined(__x86_64__) && defined(REG_ERR)
    const greg_t *r = ((ucontext_t *)uctx)->uc_mcontext.gregs;
    write = (r[REG_ERR] & 2) != 0;  // the page-fault error code's W bit
    const uintptr_t a = (uintptr_t)si->si_addr, sp = (uintptr_t)r[REG_RSP];
    stack = (a >= sp ? a - sp : sp - a) < 65536;  // at the stack pointer: the guard page below a stack
#endif
    if (stack)
      report("out-of-memory", fmt("stack overflow: the stack of this thread or task (%zu KiB in the emulator) is "
                                  "exhausted (deep recursion or large local arrays)", g_stacks.size / 1024));
    else
      report(write ? "out-of-bounds-write" : "out-of-bounds-read",
             fmt("invalid %s at address %p, outside every buffer (an index that wrapped around or a wild "
                 "pointer): the program stopped here with %s",
                 write ? "write" : "read", si->si_addr, sig == SIGBUS ? "SIGBUS" : "SIGSEGV"));
    finish(3);
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void start() {
  static uint8_t alt[64 * 1024];
  stack_t ss{};
  ss.ss_sp = alt;
  ss.ss_size = sizeof alt;
  sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, nullptr);
  sigaction(SIGBUS, &sa, nullptr);
  struct sigaction st {};
  st.sa_handler = on_stop_signal;
  sigemptyset(&st.sa_mask);
  sigaction(SIGTERM, &st, nullptr);
  sigaction(SIGALRM, &st, nullptr);
  Progress &P = g_progress;
  P.sample = atoll(option("sample", "0").c_str());
  P.budget = atof(option("budget", "0").c_str());
  P.probe_after = atof(option("probe_after", "1").c_str());
  double deadline = atof(option("deadline", "0").c_str());
  if (P.budget > 0 && (deadline <= 0 || P.budget < deadline)) deadline = P.budget, g_alarm_reason = "budget";
  if (deadline > 0) {
    itimerval it{};
    it.it_value.tv_sec = (time_t)deadline;
    it.it_value.tv_usec = (suseconds_t)((deadline - (double)(time_t)deadline) * 1e6);
    setitimer(ITIMER_REAL, &it, nullptr);
  }
  g_count_asked = XP_CHECKS && option("counters", "0") == "1";
  g_counting = g_count_asked;  // VNNI, C: the entry is the device work; BANG and GPU set it per task / thread
  g_space_arena[HOST] = new_arena(HOST, 2ull << 30, "host");
  if (g_dialect_start) g_dialect_start();
}

void *arena_alloc(int space, size_t bytes, const char *name, bool track_init) {
  Arena *a = g_space_arena[space];
  if (!a) {
    fprintf(stderr, "xpiler runtime: no %s memory in this dialect\n", space_name(space));
    std::_Exit(4);
  }
  void *p = a->alloc(bytes ? bytes : 1);
  if (!p) fatal("out-of-memory", fmt("the emulated %s memory is exhausted allocating %zu bytes for '%s'",
                                     space_name(space), bytes, name));
  if (track_init) memset(p, 0xFF, bytes);  // poison: never-written data reads as NaN / -1
  g_regions.add(p, bytes, space, name, false, track_init);
  return p;
}

void *load_arg(const char *name, int space) {
  const auto &b = input_buffer(name);
  Arena *a = g_space_arena[space];
  void *p = a ? a->alloc(b.bytes ? b.bytes : 1) : nullptr;
  if (!p) fatal("out-of-memory", fmt("no room for argument '%s' (%zu bytes)", name, b.bytes));
  return load_buffer(name, p, space);
}

void finish(int status) {
  if (g_finished) return;
  g_finished = true;
  std::string d = g_outdir + "/";
  for (auto &o : g_outputs) {
    FILE *f = fopen((d + o.name + ".bin").c_str(), "wb");
    if (f) fwrite(o.data, 1, o.bytes, f), fclose(f);
    f = fopen((d + o.name + ".written").c_str(), "wb");
    if (f) fwrite(o.region->written.data(), 1, o.bytes, f), fclose(f);
  }
  FILE *f = fopen((d + "findings.jsonl").c_str(), "w");
  if (f) {
    for (auto &x : findings()) {
      fprintf(f, "{\"kind\": ");
      json_str(f, x.kind);
      fprintf(f, ", \"line\": %d, \"count\": %ld, \"who\": ", x.line, x.count);
      json_str(f, x.who);
      fprintf(f, ", \"message\": ");
      json_str(f, x.message);
      fprintf(f, "}\n");
    }
    fclose(f);
  }
  if (!g_watch.empty()) {
    f = fopen((d + "watch.jsonl").c_str(), "w");
    if (f) {
      for (auto &w : g_watch) {
        fprintf(f, "{\"buffer\": ");
        json_str(f, w.buffer);
        fprintf(f, ", \"byte\": %zu, \"line\": %d, \"writes\": %ld, \"who\": ", w.byte, w.line, w.writes);
        json_str(f, w.who);
        fprintf(f, "}\n");
      }
      fclose(f);
    }
  }
  if (g_trace) {
    f = fopen((d + "trace.jsonl").c_str(), "w");
    if (f) {
      std::unordered_map<int, std::string> names;
      for (auto *r : g_regions.sorted) names[r->id] = r->name;
      for (auto &[k, v] : g_trace_map) {
        std::sort(v.begin(), v.end());
        v.erase(std::unique(v.begin(), v.end()), v.end());
        fprintf(f, "{\"line\": %d, \"buffer\": ", k.line);
        json_str(f, names.count(k.region) ? names[k.region] : "?");
        fprintf(f, ", \"write\": %d, \"bytes\": [", k.write);
        for (size_t i = 0; i < v.size(); ++i) fprintf(f, i ? ",%llu" : "%llu", (unsigned long long)v[i]);
        fprintf(f, "]}\n");
      }
      fclose(f);
    }
  }
  write_counters(d);
  f = fopen((d + "status.txt").c_str(), "w");
  if (f) fprintf(f, "%d\n", status), fclose(f);
  write_progress();
}

IntrinsicScope::IntrinsicScope(const char *f, bool returns_value) : fn(f), value(returns_value) {
  ++g_intrinsic_depth;
}

IntrinsicScope::~IntrinsicScope() {
  if (--g_intrinsic_depth > 0) return;  // a nested call: the outer intrinsic is still running
  Taint &tn = g_taint;
  if (value && tn.on && tn.tainted && !tn.wrote && tn.from && !repeat("uninitialized-read", cur->line))
    report("uninitialized-read", fmt("%s computes its result from '%s' at byte %zu, which was never written (%s memory)",
                                     fn, tn.from->name.c_str(), tn.from_byte, space_name(tn.from->space)));
  if (g_intrinsic_end) g_intrinsic_end();
  tn = Taint();
}

NoOverlap::NoOverlap(const char *f) : fn(f) {
    g_footprint.on = true;
    g_footprint.reads.clear();
    g_footprint.writes.clear();
  }

NoOverlap::~NoOverlap() {
    g_footprint.on = false;
    auto &R = g_footprint.reads, &W = g_footprint.writes;
    if (R.empty() || W.empty()) return;
    std::sort(R.begin(), R.end());
    std::sort(W.begin(), W.end());
    size_t i = 0, j = 0;
    while (i < R.size() && j < W.size()) {
      if (R[i].second <= W[j].first) ++i;
      else if (W[j].second <= R[i].first) ++j;
      else {
        report("operand-overlap", fmt("%s: its destination overlaps a source (at %p), which it forbids", fn,
                                      (void *)std::max(R[i].first, W[j].first)));
        return;
      }
    }
  }
}  // namespace xp
#endif
