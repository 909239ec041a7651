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

std::string SafeLine(std::string_view s, bool keep_tabs) {
  std::string out(s);
  for (char& c : out)
    if ((static_cast<unsigned char>(c) < 0x20 && !(keep_tabs && c == '\t')) || c == 0x7f) c = '?';
  if (out == "END_BPFD_OUTPUT" || out == "START_BPFD_OUTPUT" || out == "STARTED_BPFD")
    out.insert(0, 1, '?');
  return out;
}

bool NoKernel(Session& s, Reply& r, std::string_view fn) {
  if (s.kernel_enabled()) return false;
  r.Ret(fn, -EPERM);
  return true;
}

}  // namespace bpfd
