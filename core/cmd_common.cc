// Helpers shared by the command handlers (see commands.h).
#include <cerrno>

#include "core/base64.h"
#include "core/commands.h"

namespace bpfd {

int DecodeExact(std::string_view b64, uint64_t len, std::vector<uint8_t>* out) {
  if (len > (UINT64_MAX / 4) || Base64EncodedSize(len) != b64.size()) return -EINVAL;
  if (Base64Decode(b64, out) < 0 || out->size() != len) return -EINVAL;
  return 0;
}

std::string ObjName(std::string_view name) {
  if (name == "__none__") return {};
  std::string out(name.substr(0, 15));
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.';
    if (!ok) c = '_';
  }
  return out;
}

bool NoKernel(Session& s, Reply& r, std::string_view fn) {
  if (s.kernel_enabled()) return false;
  r.Ret(fn, -EPERM);
  return true;
}

}  // namespace bpfd
