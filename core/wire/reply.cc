#include "core/wire/reply.h"

#include "core/base/file_io.h"
#include "core/wire/deflated_reply.h"

namespace bpfd {

void Reply::Clear() {
  if (buf_.capacity() > kKeepCapacity) std::string().swap(buf_);  // give a huge reply back
  buf_.clear();
  buf_.append(kReplyStartLine);
  buf_.push_back('\n');
}

void Reply::Line(std::string_view s) {
  buf_.append(s);
  buf_.push_back('\n');
}

void Reply::Text(std::string_view text) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    AppendSafeLine(text.substr(0, nl), /*keep_tabs=*/true, &buf_);
    buf_.push_back('\n');
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
}

void Reply::Ret(std::string_view fn, int64_t value) { AppendRet(fn, value, &buf_); }

void Reply::Deflate() {
  std::string_view b = body();
  std::string line;
  if (!ShouldDeflate(b) || DeflateBody(b, &line) < 0) return;
  if (line.size() >= b.size() && !b.starts_with("~")) return;
  buf_.resize(kHeaderLen);
  buf_.append(line);
}

std::string_view Reply::Finish() {
  buf_.append(kReplyEndLine);
  buf_.push_back('\n');
  return buf_;
}

int Reply::Flush(int fd) {
  int r = WriteAll(fd, Finish());
  Clear();
  return r;
}

void Reply::AppendFramedTo(std::string* out) {
  out->append(Finish());
  Clear();
}

int Reply::Flush(BoundedWriter& out) {
  int r = out.Write(Finish());
  Clear();
  return r;
}

}  // namespace bpfd
