// The out-of-line part of the emulation runtime core, compiled once into an object file.
#define XP_RUNTIME_IMPL 1
#include "xp_runtime.hpp"
