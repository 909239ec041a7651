#include "core/wire/uname_record.h"

#include <cerrno>
#include <cstdint>
#include <vector>

#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {

int ParseUnameLine(std::string_view line, TargetUname* out) {
  std::vector<std::string_view> t = SplitTokens(line);
  std::string* fields[] = {&out->sysname, &out->nodename, &out->release, &out->version,
                           &out->machine};
  if (t.size() != 5) return -EPROTO;
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < 5; ++i) {
    if (DecodeData(t[i], &bytes) < 0) return -EPROTO;
    fields[i]->assign(bytes.begin(), bytes.end());
  }
  return out->release.empty() || out->machine.empty() ? -EPROTO : 0;
}

}  // namespace bpfd
