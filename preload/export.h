// EXPORT(ret, name, "sym", params...): defines the library's interposer for libc's `sym`.
// Symbols are bound by asm label so glibc's own declarations (fortify, inline stat wrappers)
// cannot conflict; exports.map lists every one.
#pragma once

#define EXPORT(ret, name, sym, ...)                                                     \
  extern "C" __attribute__((visibility("default"))) ret name(__VA_ARGS__) __asm__(sym); \
  extern "C" ret name(__VA_ARGS__)
