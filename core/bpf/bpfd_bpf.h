/* The few kernel definitions bpfd's BPF programs use, in place of kernel headers or a
 * vmlinux.h: fixed-size types, the map and flag constants, and libbpf's helper macros
 * (bpf_helpers.h from the libbpf source the set-up fetched). Tracepoint contexts are written
 * per program from the tracepoint's format (fixed offsets, the same on every architecture). */
#ifndef BPFD_BPF_H_
#define BPFD_BPF_H_

typedef unsigned char __u8;
typedef signed char __s8;
typedef unsigned short __u16;
typedef short __s16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

enum bpf_map_type {
  BPF_MAP_TYPE_HASH = 1,
  BPF_MAP_TYPE_ARRAY = 2,
  BPF_MAP_TYPE_PERCPU_HASH = 5,
  BPF_MAP_TYPE_PERCPU_ARRAY = 6,
  BPF_MAP_TYPE_RINGBUF = 27,
};
enum { BPF_ANY = 0, BPF_NOEXIST = 1, BPF_EXIST = 2 };

/* Every tracepoint's record starts with these 8 bytes (type, flags, preempt_count, pid). */
struct trace_entry {
  __u16 type;
  __u8 flags;
  __u8 preempt_count;
  __s32 pid;
};

/* A __data_loc field: the low 16 bits are the offset of the data from the record's start. */
#define BPFD_DATA_LOC(ctx, field) ((const void*)(ctx) + ((ctx)->field & 0xffff))

#include <bpf/bpf_helpers.h>

/* The value at key in a hash map, first inserted as *init when absent; 0 when the map is full. */
static __always_inline void* BpfdLookupOrInit(void* map, const void* key, const void* init) {
  void* v = bpf_map_lookup_elem(map, key);
  if (v) return v;
  bpf_map_update_elem(map, key, init, BPF_NOEXIST);
  return bpf_map_lookup_elem(map, key);
}

#endif
