#include "core/wire/deflated_reply.h"

#include <zlib.h>

#include <cerrno>

#include "core/wire/base64.h"
#include "core/wire/reply.h"
#include "core/wire/tokens.h"

namespace bpfd {

bool ShouldDeflate(std::string_view body) {
  return body.size() >= kDeflateMinBody || body.starts_with("~");
}

int DeflateBody(std::string_view body, std::string* line) {
  uLongf size = compressBound(static_cast<uLong>(body.size()));
  std::string z(size, '\0');
  // Level 1: a target's core deflates ~100 MB/s there, far above what a slow link carries.
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &size,
                reinterpret_cast<const Bytef*>(body.data()), static_cast<uLong>(body.size()),
                1) != Z_OK)
    return -ENOMEM;
  line->assign(kDeflatedPrefix);
  line->append(std::to_string(body.size())).push_back(' ');
  AppendData(reinterpret_cast<const uint8_t*>(z.data()), size, line);
  line->push_back('\n');
  return 0;
}

int InflateBody(std::string_view line, std::string* body) {
  if (!IsDeflatedLine(line)) return -EPROTO;
  line.remove_prefix(kDeflatedPrefix.size());
  size_t sp = line.find(' ');
  uint64_t len;
  std::vector<uint8_t> z;
  if (sp == std::string_view::npos || !ParseUint64(line.substr(0, sp), &len) ||
      len > kMaxReplyBody || DecodeData(line.substr(sp + 1), &z) < 0 || z.empty())
    return -EPROTO;
  body->resize(static_cast<size_t>(len));
  uLongf out = static_cast<uLongf>(len);
  if (uncompress(reinterpret_cast<Bytef*>(body->data()), &out, z.data(),
                 static_cast<uLong>(z.size())) != Z_OK ||
      out != len) {
    body->clear();
    return -EPROTO;
  }
  return 0;
}

}  // namespace bpfd
