#include "core/wire/uname_record.h"

#include <cerrno>
#include <cstdint>
#include <vector>

#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {

std::string FormatUnameLine(const TargetUname& u) {
  std::string out;
  for (const std::string* f : {&u.sysname, &u.nodename, &u.release, &u.version, &u.machine}) {
    if (!out.empty()) out.push_back(' ');
    AppendData(reinterpret_cast<const uint8_t*>(f->data()), f->size(), &out);
  }
  return out;
}

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
