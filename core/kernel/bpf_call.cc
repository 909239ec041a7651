// The SYS_BPF executor; see bpf_call.h.
#include "core/kernel/bpf_call.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace bpfd {

bool BpfCmdReturnsFd(int cmd) {
  switch (cmd) {
    case BPF_MAP_CREATE:
    case BPF_PROG_LOAD:
    case BPF_OBJ_GET:
    case BPF_PROG_GET_FD_BY_ID:
    case BPF_MAP_GET_FD_BY_ID:
    case BPF_RAW_TRACEPOINT_OPEN:
    case BPF_BTF_LOAD:
    case BPF_BTF_GET_FD_BY_ID:
    case BPF_LINK_CREATE:
    case BPF_LINK_GET_FD_BY_ID:
    case BPF_ENABLE_STATS:
    case BPF_ITER_CREATE:
      return true;
    default:
      return false;
  }
}

int BpfCall::Parse(std::span<const std::string_view> args, bool cached) {
  return ParseSysBpfArgs(args, &req_, cached);
}

long BpfCall::Call(int cmd) {
  return Call([cmd](void* attr, uint32_t size) -> long {
    long r = syscall(__NR_bpf, cmd, attr, size);
    return r < 0 ? -errno : r;
  });
}

uint8_t* BpfCall::SlotAddr(const BpfSlot& s) {
  std::vector<uint8_t>& parent = s.parent < 0 ? req_.attr : req_.bufs[size_t(s.parent)].data;
  return parent.data() + s.off;
}

long BpfCall::Call(const std::function<long(void*, uint32_t)>& sys) {
  // The kernel writes some results (info_len, prog_cnt, retval...) at their fixed offsets
  // whatever size it is given: a short attr is zero-extended to a page around the call, so
  // they land in it, and cut back to the client's size afterwards.
  const size_t size = req_.attr.size();
  req_.attr.resize(std::max(size, kMaxBpfAttr), 0);
  std::vector<SysBpfBuffer>& bufs = req_.bufs;
  std::vector<uint64_t> saved(bufs.size());
  for (size_t i = 0; i < bufs.size(); ++i) {
    uint8_t* slot = SlotAddr(bufs[i].slot);
    std::memcpy(&saved[i], slot, 8);
    // An empty buffer is a NULL pointer (the kernel rejects a pointer with a zero size).
    uint64_t p = bufs[i].data.empty() ? 0 : reinterpret_cast<uintptr_t>(bufs[i].data.data());
    std::memcpy(slot, &p, 8);
  }
  long r = sys(req_.attr.data(), static_cast<uint32_t>(size));
  for (size_t i = bufs.size(); i-- > 0;) std::memcpy(SlotAddr(bufs[i].slot), &saved[i], 8);
  req_.attr.resize(size);
  return r;
}

void BpfCall::AppendReply(std::string* out) const { AppendSysBpfReply(req_, out); }

}  // namespace bpfd
