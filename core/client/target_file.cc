#include "core/client/target_file.h"

#include <cerrno>
#include <cstring>
#include <vector>

#include "core/client/call.h"
#include "core/wire/base64.h"

namespace bpfd {

Result<std::string> ReadTargetFile(Backend& b, const std::string& path) {
  std::string line = "FILE_READ ";
  Base64Append(reinterpret_cast<const uint8_t*>(path.data()), path.size(), &line);
  Result<CallReply> r = Call(b, line);
  if (!r.ok()) return r.status();
  if (r->ret < 0)
    return Error(static_cast<int>(r->ret),
                 "reading " + path + " on the target: " + std::strerror(static_cast<int>(-r->ret)));
  std::vector<uint8_t> data;
  if (r->data.empty() || DecodeData(r->data[0], &data) < 0 ||
      data.size() != static_cast<uint64_t>(r->ret))
    return Error(-EPROTO, "malformed FILE_READ reply for " + path);
  return std::string(data.begin(), data.end());
}

}  // namespace bpfd
