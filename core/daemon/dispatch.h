// The BPFd v1 line protocol: HandleLine parses one command line and runs it against a Session,
// leaving the reply lines (unframed) in a Reply. See /work/shared/notes/bpfd-v1-protocol.md.
#pragma once
#include <string_view>

#include "core/daemon/session.h"
#include "core/wire/reply.h"

namespace bpfd {

enum class LineAction {
  kIgnore,  // empty line: no reply at all
  kReply,   // the reply is in `reply`; frame and send it
  kExit,    // "exit": end the session without a reply
};

// Never throws: std::bad_alloc becomes "<fn>: ret=-12". Unknown commands and malformed
// arguments reply "Command not recognized". Trailing extra arguments are ignored.
LineAction HandleLine(Session& session, std::string_view line, Reply& reply);

}  // namespace bpfd
