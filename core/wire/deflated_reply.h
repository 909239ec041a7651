// A reply body sent deflated (docs/protocol.md "Compression"), once the client asked with
// `COMPRESS deflate`: the body's lines, the ret line included, become the single line
//   ~deflate <length of the body> <base64 of its zlib stream>
// between the usual START and END lines. For slow links: BTF, kallsyms, map dumps and event
// streams shrink 3-10x. The 2017 protocol is unchanged for clients that never ask.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace bpfd {

inline constexpr std::string_view kDeflatedPrefix = "~deflate ";
// Bodies below this are sent as they are (unless they start with '~': those always are
// deflated, so a first line never reads as a deflated body by accident).
inline constexpr size_t kDeflateMinBody = 512;

// Whether a reply of this body is sent deflated.
bool ShouldDeflate(std::string_view body);
// The body (its lines, each ending in '\n') as the deflated line, with its '\n'. 0, or -ENOMEM.
int DeflateBody(std::string_view body, std::string* line);
// Whether a reply's first line is a deflated body.
inline bool IsDeflatedLine(std::string_view first_line) {
  return first_line.starts_with(kDeflatedPrefix);
}
// The body back from the line (without its '\n'): 0, or -EPROTO (malformed, over
// kMaxReplyBody, or not inflating to exactly the length it names).
int InflateBody(std::string_view line, std::string* body);

}  // namespace bpfd
