// BpfRequest: one bpf(2) call described for SYS_BPF — a copy of the attr with the target's fd
// numbers, plus every buffer the kernel reads or writes (docs/protocol.md, "Forwarding").
#pragma once
#include <linux/bpf.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/wire/sys_bpf_record.h"

namespace bpfd::preload {

class BpfRequest {
 public:
  BpfRequest(int cmd, union bpf_attr* attr, unsigned size);

  bool Has(size_t off, size_t n) const { return off + n <= size_; }
  uint32_t U32(size_t off) const;
  uint64_t U64(size_t off) const;
  void SetU32(size_t off, uint32_t v);
  // True when every attr byte from `off` on is zero (the kernel's CHECK_ATTR).
  bool ZeroFrom(size_t off) const {
    return off >= attr_.size() || attr_.find_first_not_of('\0', off) == std::string::npos;
  }

  // Rewrites the u32 fd at off to the target's number (restored in the caller's attr later).
  void Fd(size_t off);
  // Notes that a buffer carries one of the session's fds in the target's numbering.
  void MarkFdTranslated() { refers_fds_ = true; }
  // True when the request names none of the session's objects: the same line means the same
  // request in any session on that target (prefetch.h's creations).
  bool SelfContained() const { return fds_.empty() && !refers_fds_; }
  // Adds the buffer the u64 pointer at attr offset `off` designates (nothing when it is null
  // or len is 0). dir: 'i', 'o' or 'x'. `in` replaces the caller's bytes (translated copies;
  // must outlive Send). Returns the buffer's index or -1.
  int Ptr(size_t off, char dir, uint64_t len, const void* in = nullptr);
  // The same for a pointer at offset `off` inside earlier buffer `parent` (caller's bytes).
  int Nested(int parent, size_t off, char dir, uint64_t len);
  // Bytes of buffer i as the caller passed them (for nested pointer reads).
  const uint8_t* CallerBytes(int i) const;
  uint64_t Len(int i) const { return bufs_[i].len; }
  // Output buffer i is large and rarely changes (kernel BTF): the host's store keeps it under
  // `key`, and the daemon sends a digest instead when it holds the same (SYS_BPF_CACHED). Only
  // for calls that can be repeated (they are, when a held copy turns out unreadable).
  void Cache(int i, std::string key);

  // Sends SYS_BPF, copies results back into the caller's attr and buffers. ret or -errno.
  // `creation`: a SelfContained object creation, which the start-up prefetch may have made
  // already (State::CallCreation).
  int64_t Send(bool creation = false);
  // Sends SYS_BPF without waiting for its reply (State::Post): only for a call with no output
  // that cannot fail (a late failure is one stderr line).
  void Post();

 private:
  struct Buf {
    BpfSlot slot;
    char dir;
    uint64_t len;
    const void* in;
    void* out;
  };
  int cmd_;
  union bpf_attr* user_;
  unsigned size_;
  std::string attr_;
  std::vector<Buf> bufs_;
  std::vector<std::pair<size_t, uint32_t>> fds_;  // (offset, caller's value)
  bool refers_fds_ = false;
  int cached_ = -1;
  std::string cache_key_;

  std::string Line(std::span<const Sha256Digest> held) const;
  int64_t Exchange(std::span<const Sha256Digest> held, std::vector<std::string>* rest,
                   bool creation = false);
};

// Forwards bpf(cmd, attr, size) to the target: the return value as bpf(2) gives it (fd or
// value ≥ 0), or -1 with errno set.
long ForwardBpf(int cmd, union bpf_attr* attr, unsigned size);

}  // namespace bpfd::preload
