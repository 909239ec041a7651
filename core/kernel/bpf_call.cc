// The SYS_BPF executor; see bpf_forward.h.
#include "core/kernel/bpf_call.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

// "a<off>" -> parent -1; "b<i>.<off>" -> parent i (i < count). false when malformed.
bool ParseSlot(std::string_view s, size_t count, int* parent, uint64_t* off) {
  if (s.size() < 2) return false;
  std::string_view rest = s.substr(1);
  if (s[0] == 'a') {
    *parent = -1;
    return ParseUint64(rest, off);
  }
  if (s[0] != 'b') return false;
  size_t dot = rest.find('.');
  uint32_t idx;
  if (dot == std::string_view::npos || !ParseUint32(rest.substr(0, dot), &idx) || idx >= count)
    return false;
  *parent = static_cast<int>(idx);
  return ParseUint64(rest.substr(dot + 1), off);
}

}  // namespace

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

int BpfCall::Parse(std::span<const std::string_view> a) {
  if (a.empty() || (a.size() - 1) % 4 != 0) return -EINVAL;
  if (DecodeData(a[0], &attr_) < 0 || attr_.empty() || attr_.size() > kMaxBpfAttr) return -EINVAL;
  bufs_.clear();
  bufs_.reserve((a.size() - 1) / 4);
  uint64_t total = 0;
  for (size_t i = 1; i < a.size(); i += 4) {
    Buffer b;
    uint64_t off, len;
    if (!ParseSlot(a[i], bufs_.size(), &b.parent, &off)) return -EINVAL;
    size_t parent_size = b.parent < 0 ? attr_.size() : bufs_[static_cast<size_t>(b.parent)].data.size();
    if (parent_size < 8 || off > parent_size - 8) return -EINVAL;
    b.off = static_cast<size_t>(off);
    if (a[i + 1] != "i" && a[i + 1] != "o" && a[i + 1] != "x") return -EINVAL;
    b.dir = a[i + 1][0];
    if (!ParseUint64(a[i + 2], &len)) return -EINVAL;
    if (len > kMaxBpfBuffers - total) return -E2BIG;
    total += len;
    if (b.dir == 'o') {
      if (a[i + 3] != "-") return -EINVAL;
      b.data.assign(static_cast<size_t>(len), 0);
    } else if (DecodeData(a[i + 3], &b.data) < 0 || b.data.size() != len) {
      return -EINVAL;
    }
    bufs_.push_back(std::move(b));
  }
  return 0;
}

long BpfCall::Call(int cmd) {
  return Call([cmd](void* attr, uint32_t size) -> long {
    long r = syscall(__NR_bpf, cmd, attr, size);
    return r < 0 ? -errno : r;
  });
}

long BpfCall::Call(const std::function<long(void*, uint32_t)>& sys) {
  std::vector<uint64_t> saved(bufs_.size());
  for (size_t i = 0; i < bufs_.size(); ++i) {
    uint8_t* slot = SlotAddr(bufs_[i]);
    std::memcpy(&saved[i], slot, 8);
    // An empty buffer is a NULL pointer (the kernel rejects a pointer with a zero size).
    uint64_t p = bufs_[i].data.empty() ? 0 : reinterpret_cast<uintptr_t>(bufs_[i].data.data());
    std::memcpy(slot, &p, 8);
  }
  long r = sys(attr_.data(), static_cast<uint32_t>(attr_.size()));
  for (size_t i = bufs_.size(); i-- > 0;) std::memcpy(SlotAddr(bufs_[i]), &saved[i], 8);
  return r;
}

void BpfCall::AppendReply(std::string* out) const {
  AppendData(attr_.data(), attr_.size(), out);
  out->push_back('\n');
  for (size_t i = 0; i < bufs_.size(); ++i) {
    if (bufs_[i].dir == 'i') continue;
    char num[24];
    out->append(num, std::to_chars(num, num + sizeof(num), i).ptr);
    out->push_back(' ');
    AppendData(bufs_[i].data.data(), bufs_[i].data.size(), out);
    out->push_back('\n');
  }
}

}  // namespace bpfd
