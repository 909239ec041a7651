// libFuzzer target: feeds each input line to HandleLine on a Session without kernel access
// (parsing and validation only) and checks the reply invariants that keep the host in sync.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/daemon/dispatch.h"
#include "core/wire/framing.h"

namespace {

// A reply body must be whole lines, none of which is a framing marker.
void CheckReply(bpfd::LineAction action, const bpfd::Reply& reply) {
  std::string_view body = reply.body();
  if (action != bpfd::LineAction::kReply) {
    if (!body.empty()) std::abort();
    return;
  }
  if (!body.empty() && body.back() != '\n') std::abort();
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (bpfd::IsFramingLine(line)) std::abort();
    body.remove_prefix(nl + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bpfd::Session session(bpfd::SessionOptions{.kernel = false});
  bpfd::Reply reply;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    bpfd::LineAction action = bpfd::HandleLine(session, line, reply);
    CheckReply(action, reply);
    if (action == bpfd::LineAction::kExit) break;
  }
  return 0;
}
