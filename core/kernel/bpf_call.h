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

#include "core/wire/sys_bpf_record.h"

namespace bpfd {

// True for the bpf commands whose result is a new fd (MAP_CREATE, PROG_LOAD, ...).
bool BpfCmdReturnsFd(int cmd);

class BpfCall {
 public:
  // Parses "attr [slot dir len data]…" (wire/sys_bpf_record.h; `cached`: SYS_BPF_CACHED's, 'o'
  // buffers with held digests): 0, -EINVAL or -E2BIG.
  int Parse(std::span<const std::string_view> args, bool cached = false);

  // Points every slot at its buffer, runs sys(attr, size) (the bpf syscall for cmd by
  // default; attr zero-extended to kMaxBpfAttr bytes in memory, size the client's), then
  // restores the client's pointer values, nested ones too. Returns sys's result.
  long Call(int cmd);
  long Call(const std::function<long(void* attr, uint32_t size)>& sys);

  // Appends the reply's data lines: the attr, then "<index> <data>" per o/x buffer.
  void AppendReply(std::string* out) const;

  const std::vector<uint8_t>& attr() const { return req_.attr; }
  // The attr for a caller that changes fields around Call (and restores them for the reply).
  std::vector<uint8_t>& mutable_attr() { return req_.attr; }
  const std::vector<uint8_t>& buffer(size_t i) const { return req_.bufs[i].data; }
  const std::vector<SysBpfBuffer>& buffers() const { return req_.bufs; }

 private:
  uint8_t* SlotAddr(const BpfSlot& s);

  SysBpfRequest req_;
};

}  // namespace bpfd
