// BpfCall: the generic bpf(2) executor behind SYS_BPF. It holds the client's attr and the
// buffers its pointer slots describe (docs/protocol.md "Forwarding"), points the slots at the
// daemon's copies around the call and puts the client's pointer values back afterwards.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/wire/base64.h"  // DecodeData/AppendData, the data tokens of SYS_BPF

namespace bpfd {

inline constexpr size_t kMaxBpfAttr = 4096;             // the kernel's own limit (a page)
inline constexpr uint64_t kMaxBpfBuffers = 256u << 20;  // all buffers of one call together

// True for the bpf commands whose result is a new fd (MAP_CREATE, PROG_LOAD, ...).
bool BpfCmdReturnsFd(int cmd);

class BpfCall {
 public:
  // Parses "attr [slot dir len data]…": 0, -EINVAL (malformed), or -E2BIG (buffers too big).
  int Parse(std::span<const std::string_view> args);

  // Points every slot at its buffer, runs sys(attr, size) (the bpf syscall for cmd by
  // default), then restores the client's pointer values, nested ones too. Returns sys's result.
  long Call(int cmd);
  long Call(const std::function<long(void* attr, uint32_t size)>& sys);

  // Appends the reply's data lines: the attr, then "<index> <data>" per o/x buffer.
  void AppendReply(std::string* out) const;

  const std::vector<uint8_t>& attr() const { return attr_; }
  const std::vector<uint8_t>& buffer(size_t i) const { return bufs_[i].data; }

 private:
  struct Buffer {
    int parent;  // -1: the slot is in attr; else in buffer `parent`
    size_t off;  // byte offset of the u64 slot
    char dir;    // 'i', 'o' or 'x'
    std::vector<uint8_t> data;
  };
  uint8_t* SlotAddr(const Buffer& b) {
    return (b.parent < 0 ? attr_.data() : bufs_[static_cast<size_t>(b.parent)].data.data()) + b.off;
  }

  std::vector<uint8_t> attr_;
  std::vector<Buffer> bufs_;
};


}  // namespace bpfd
