#include "core/backend.h"

#include <cerrno>
#include <charconv>

#include "core/protocol.h"

namespace bpfd {

int LocalBackend::Call(std::string_view line, std::vector<std::string>* lines) {
  lines->clear();
  if (HandleLine(session_, line, reply_) != LineAction::kReply) return 0;
  std::string_view body = reply_.body();
  while (!body.empty()) {
    size_t nl = body.find('\n');
    if (nl == std::string_view::npos) nl = body.size();
    lines->emplace_back(body.substr(0, nl));
    body.remove_prefix(nl < body.size() ? nl + 1 : nl);
  }
  reply_.Clear();
  if (lines->size() == 1 && (*lines)[0] == kNotRecognized) return -EBADMSG;
  return 0;
}

bool ParseRetLine(std::string_view first_line, long long* ret) {
  for (size_t pos = first_line.find("ret="); pos != std::string_view::npos;
       pos = first_line.find("ret=", pos + 1)) {
    const char* begin = first_line.data() + pos + 4;
    const char* end = first_line.data() + first_line.size();
    const char* digits = begin < end && *begin == '-' ? begin + 1 : begin;
    if (digits >= end || *digits < '0' || *digits > '9') continue;
    auto res = std::from_chars(begin, end, *ret);
    if (res.ec == std::errc()) return true;
  }
  return false;
}

}  // namespace bpfd
