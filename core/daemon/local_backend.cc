#include "core/daemon/local_backend.h"

#include <cerrno>

#include "core/daemon/dispatch.h"

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

}  // namespace bpfd
