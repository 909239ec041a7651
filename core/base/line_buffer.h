// LineBuffer: bytes read from a stream, handed out as '\n'-terminated lines of any length in
// amortised linear time (each byte is scanned once; the consumed prefix is reused before the
// buffer grows). The one line splitter of both protocol readers: the daemon's LineReader and
// the client's ProtocolClient.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace bpfd {

class LineBuffer {
 public:
  // Room for at least min_free more bytes after the buffered ones (read into it, then
  // Commit). Grows geometrically: at least what is buffered, so long lines stay linear.
  std::span<char> Space(size_t min_free);
  void Commit(size_t n) { end_ += n; }

  // True when a complete line is buffered.
  bool HasLine() const;
  // The next complete line without its '\n' and one trailing '\r' (valid until the next
  // Space, Clear or TakeRest), or false when none is complete yet.
  bool NextLine(std::string_view* line);
  // Everything left (an unterminated last line at EOF), without one trailing '\r'; empties
  // the buffer.
  std::string_view TakeRest();

  size_t size() const { return end_ - start_; }
  bool empty() const { return end_ == start_; }
  // Drops everything; release=true also gives the memory back.
  void Clear(bool release = false);

 private:
  std::string buf_;  // bytes [start_, end_) are unconsumed
  size_t start_ = 0;
  size_t end_ = 0;
  // Scan state, advanced by HasLine (logically const: it only remembers what it looked at).
  mutable size_t scan_ = 0;                // [start_, scan_) holds no '\n'
  mutable size_t nl_ = std::string::npos;  // the '\n' HasLine found, if any
};

}  // namespace bpfd
