// BTF by id, for bpf-mapdump (docs/protocol.md):
//   BTF_GET <id>             -> "btf_get: ret=<size>", then the raw BTF blob in base64.
#include <bpf/btf.h>

#include <cerrno>
#include <memory>

#include "core/daemon/handler.h"
#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

// BTF_GET <id>
Verdict CmdBtfGet(Session& s, Args a, CommandReply& r) {
  uint32_t id;
  if (!ParseUint32(a[0], &id)) return Verdict::kBadArgs;
  if (r.NoKernel(s)) return Verdict::kDone;
  std::unique_ptr<btf, void (*)(btf*)> b(btf__load_from_kernel_by_id(id), btf__free);
  if (!b) return r.Ret(-errno);
  uint32_t size = 0;
  const void* raw = btf__raw_data(b.get(), &size);
  if (!raw) return r.Ret(-ENOMEM);
  r.Ret(size);
  Base64Append(static_cast<const uint8_t*>(raw), size, r.raw());
  r.raw()->push_back('\n');
  return Verdict::kDone;
}

constexpr Command kBtfCommands[] = {
    {"BTF_GET", 1, "btf_get", CmdBtfGet},
};

}  // namespace

CommandGroup BtfCommands() { return kBtfCommands; }

}  // namespace bpfd
