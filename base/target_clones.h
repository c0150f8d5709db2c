// ATTEND_TARGET_CLONES("arch=x86-64-v4", ..., "default"): a function compiled
// once per target and chosen when the program loads (GCC's target_clones).
// Under ThreadSanitizer it is compiled once, for the baseline: the clones'
// resolvers run while the dynamic loader relocates the program, before the
// sanitizer's runtime is initialized, and their instrumented code crashes
// there (every test crashed at startup).
#pragma once

#if defined(__SANITIZE_THREAD__)
#define ATTEND_TARGET_CLONES(...)
#else
#define ATTEND_TARGET_CLONES(...) __attribute__((target_clones(__VA_ARGS__)))
#endif
