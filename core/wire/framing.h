// The protocol's framing (docs/protocol.md): the daemon's banner, the lines around each reply,
// the "not recognized" reply, and the "<fn>: ret=<n>" result line every reply starts with.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace bpfd {

inline constexpr std::string_view kBannerLine = "STARTED_BPFD";
inline constexpr std::string_view kReplyStartLine = "START_BPFD_OUTPUT";
inline constexpr std::string_view kReplyEndLine = "END_BPFD_OUTPUT";
inline constexpr std::string_view kNotRecognized = "Command not recognized";

// True for the banner and the two reply markers (a data line must never equal one).
inline bool IsFramingLine(std::string_view s) {
  return s == kBannerLine || s == kReplyStartLine || s == kReplyEndLine;
}

// Appends "<fn>: ret=<value>\n".
void AppendRet(std::string_view fn, int64_t value, std::string* out);

// The client rule for results: the regex `ret=(-?\d+)` searched in the FIRST reply line.
// Returns 0 with the number in *ret; -ENOENT when the line has no match (a reply carrying
// data, which clients treat as success); -ERANGE when the number does not fit in int64_t.
int ParseRet(std::string_view first_line, int64_t* ret);

// Text from the outside world as one reply line: control bytes (and tabs unless keep_tabs)
// become '?', and a line that would read as a framing marker is prefixed with '?' so it cannot
// end the reply early.
std::string SafeLine(std::string_view s, bool keep_tabs = false);
// SafeLine(s, keep_tabs) appended to *out, without a temporary.
void AppendSafeLine(std::string_view s, bool keep_tabs, std::string* out);

}  // namespace bpfd
