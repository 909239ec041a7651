// The BPFd v1 line protocol: HandleLine parses one command line and runs it against a Session,
// leaving the reply lines (unframed) in a Reply. See /work/shared/notes/bpfd-v1-protocol.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/daemon/session.h"
#include "core/wire/reply.h"

namespace bpfd {

enum class LineAction {
  kIgnore,  // empty line: no reply at all
  kReply,   // the reply is in `reply`; frame and send it
  kExit,    // "exit": end the session without a reply
};

// Most tokens a command line may have (RING_POLL and PERF_READER_POLL take one per ring, so
// one per CPU and map; SYS_BPF four per buffer): 65536 views cost 1 MiB at most. A line with
// more gets "<ret_name>: ret=-7" (E2BIG) for a known command, and one stderr line.
inline constexpr size_t kMaxTokens = 65536;

// Never throws: std::bad_alloc becomes "<fn>: ret=-12". Unknown commands and malformed
// arguments reply "Command not recognized". Trailing extra arguments are ignored.
// A reply body over kMaxReplyBody (wire/reply.h) is replaced by "<ret_name>: ret=-105" (ENOBUFS)
// and one stderr line.
LineAction HandleLine(Session& session, std::string_view line, Reply& reply);

// The reply to a line over the --max-line cap (LineReader's -E2BIG: `head` is its first bytes,
// `seen` how many had arrived): "<ret_name>: ret=-7" (E2BIG) if head starts with a known
// command, else "Command not recognized"; and one stderr line.
LineAction HandleOverlongLine(std::string_view head, uint64_t seen, size_t max_line, Reply& reply);

}  // namespace bpfd
