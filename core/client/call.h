// One protocol call as every host-side caller makes it: send the line, check the transport,
// "Command not recognized" and the first line's "ret=", and keep the data lines after it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/client/backend.h"
#include "core/client/protocol_client.h"

namespace bpfd {

struct CallReply {
  int64_t ret = 0;                // the command's result: >= 0, or its -errno on the target
  std::vector<std::string> data;  // the lines after the ret line
  size_t bytes = 0;  // reply bytes received (deflated, if they were), newlines included
};

struct CallOptions {
  int timeout_ms = 60000;  // ProtocolClient only (a Backend has its own)
  // For a v1 listing command (GET_KALLSYMS, GET_TRACE_EVENTS, ...): its reply is data lines
  // only, unless it is the single line "<listing_fn>: ret=<n>".
  std::string_view listing_fn;
  // What a daemon that does not know the command predates, for the message.
  std::string_view needs = "this bpfd";
};

// The reply, or a Status: the transport's -errno ("the daemon went away ...", "did not answer
// ... in time"), -EBADMSG (the daemon does not know the command: it predates opts.needs) or
// -EPROTO (no ret= where one must be). A command that failed on the target is not an error
// here: its -errno is CallReply::ret.
Result<CallReply> Call(Backend& b, std::string_view line, const CallOptions& opts = {});
Result<CallReply> Call(ProtocolClient& c, std::string_view line, const CallOptions& opts = {});

// The reply to `line`, sent earlier with ProtocolClient::Ask (e.g. ConnectOptions::ask), as
// Call's.
Result<CallReply> Answer(ProtocolClient& c, std::string_view line, const CallOptions& opts = {});

// Independent commands in one round trip (asked at once, then answered in order): one result
// per line, each as Call's. Lines the daemon would not answer (-EINVAL) or beyond
// ProtocolClient::kMaxAskedBytes (-E2BIG) send nothing; a transport failure is the error of
// that line and every later one.
std::vector<Result<CallReply>> CallBatch(ProtocolClient& c, const std::vector<std::string>& lines,
                                         const CallOptions& opts = {});

// Call for callers that want one number: ret (>= 0) with the data lines in *data, or a
// negative errno (the command's or the transport's).
long long CallData(Backend& b, std::string_view line, std::vector<std::string>* data);

}  // namespace bpfd
