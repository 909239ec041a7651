// What the handler fuzz targets share: feeding one input's lines to HandleLine and the reply
// invariants that keep the host in sync (a reply body is whole lines, none a framing marker).
#pragma once
#include <string_view>

#include "core/daemon/dispatch.h"

namespace bpfd::fuzz {

// Runs each '\n'-separated line of `in` through HandleLine on `session`, aborting on a broken
// reply invariant. `filter`, if set, may veto a line (it is then skipped). Returns kExit if an
// "exit" line ended the input early, else kReply.
LineAction FeedLines(Session& session, std::string_view in,
                     bool (*filter)(std::string_view line) = nullptr);

}  // namespace bpfd::fuzz
