// Reply: collects one command's reply lines and writes them framed by kReplyStartLine /
// kReplyEndLine in a single buffer (one write loop per reply; appends are amortised O(1)).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/bounded_write.h"
#include "core/wire/framing.h"

namespace bpfd {

// The largest reply body the daemon sends (HandleLine answers -ENOBUFS instead): twice the
// largest file a tool reads whole (/proc/kallsyms, vmlinux BTF: tens of MiB), base64 included.
inline constexpr size_t kMaxReplyBody = 128u << 20;

class Reply {
 public:
  Reply() { Clear(); }

  // Appends `s` plus '\n'.
  void Line(std::string_view s);
  // Appends "<fn>: ret=<value>".
  void Ret(std::string_view fn, int64_t value);
  // Appends multi-line text from files or the kernel, each line made safe as SafeLine does
  // (tabs kept: a line reading END_BPFD_OUTPUT cannot end the reply); adds a final '\n' when
  // the text lacks one.
  void Text(std::string_view text);
  // Direct access for encoders that append in place; callers must end each line with '\n'.
  std::string* raw() { return &buf_; }

  // Replaces the body by its deflated line (wire/deflated_reply.h) when ShouldDeflate and that
  // is smaller (always for a body starting with '~'): for a client that sent COMPRESS deflate.
  void Deflate();

  // Drops everything appended so far.
  void Clear();
  // Replaces the reply by the single line "Command not recognized".
  void NotRecognized() {
    Clear();
    Line(kNotRecognized);
  }

  // The reply lines (without the framing).
  std::string_view body() const { return std::string_view(buf_).substr(kHeaderLen); }
  bool empty() const { return buf_.size() == kHeaderLen; }

  // Writes START + body + END to fd, retrying short writes, EINTR and EAGAIN; then clears.
  // Returns 0 or -errno (-EPIPE when the reader went away).
  int Flush(int fd);
  // The same through a BoundedWriter: also -ETIMEDOUT or -EINTR (BoundedWriter::Write).
  int Flush(BoundedWriter& out);
  // Appends START + body + END to *out (replies written together later); then clears.
  void AppendFramedTo(std::string* out);

 private:
  std::string_view Finish();  // appends the END line: the whole framed reply

  static constexpr size_t kHeaderLen = kReplyStartLine.size() + 1;
  static constexpr size_t kKeepCapacity = 16u << 20;
  std::string buf_;
};

}  // namespace bpfd
