#include "tests/fuzz/fuzz_lines.h"

#include <cstdlib>

#include "core/wire/framing.h"

namespace bpfd::fuzz {
namespace {

void CheckReply(LineAction action, const Reply& reply) {
  std::string_view body = reply.body();
  if (action != LineAction::kReply) {
    if (!body.empty()) std::abort();
    return;
  }
  if (!body.empty() && body.back() != '\n') std::abort();
  while (!body.empty()) {
    size_t nl = body.find('\n');
    std::string_view line = body.substr(0, nl);
    if (IsFramingLine(line)) std::abort();
    body.remove_prefix(nl + 1);
  }
}

}  // namespace

LineAction FeedLines(Session& session, std::string_view in, bool (*filter)(std::string_view line)) {
  Reply reply;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    if (filter && !filter(line)) continue;
    LineAction action = HandleLine(session, line, reply);
    CheckReply(action, reply);
    if (action == LineAction::kExit) return action;
  }
  return LineAction::kReply;
}

}  // namespace bpfd::fuzz
