// LineBuffer: bytes read from a stream, handed out as '\n'-terminated lines of any length in
// amortised linear time (each byte is scanned once; the consumed prefix is reused before the
// buffer grows). The one line splitter of both protocol readers: the daemon's LineReader and
// the client's ProtocolClient.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bpfd {

class LineBuffer {
 public:
  // Room for at least min_free more bytes after the buffered ones (read into it, then
  // Commit). Grows geometrically: at least what is buffered, so long lines stay linear.
  std::span<char> Space(size_t min_free);
  void Commit(size_t n);

  // True when a complete line is buffered.
  bool HasLine() const;
  // The next complete line without its '\n' and one trailing '\r' (valid until the next
  // Space, Clear or TakeRest), or false when none is complete yet.
  bool NextLine(std::string_view* line);
  // Everything left (an unterminated last line at EOF), without one trailing '\r'; empties
  // the buffer.
  std::string_view TakeRest();

  // Caps a line at max_line bytes (0, the default: no cap). A longer line is never buffered
  // whole: once more than max_line bytes of it are in, its first kOverlongHead bytes are kept,
  // the rest is dropped up to and including its '\n' (or EOF), and TakeOverlong reports it
  // once, before any line that follows it. Memory stays within about max_line + one read.
  void set_max_line(size_t max_line) { max_line_ = max_line; }
  static constexpr size_t kOverlongHead = 64;
  // True when an over-long line was found and not yet taken (NextLine finds none before it).
  bool HasOverlong() const { return overlong_; }
  // Takes the over-long line's report: its first bytes (at most kOverlongHead) and how many
  // bytes of it had arrived when the cap was hit (more than max_line). false if none.
  bool TakeOverlong(std::string* head, uint64_t* seen);

  size_t size() const { return end_ - start_; }
  bool empty() const { return end_ == start_; }
  // Drops everything; release=true also gives the memory back.
  void Clear(bool release = false);

 private:
  // An unterminated line over max_line_ at [start_, end_): report it and start discarding.
  void CheckOverlong();
  // Records the report for the line at start_, of which `seen` bytes arrived.
  void NoteOverlong(size_t seen);

  std::string buf_;  // bytes [start_, end_) are unconsumed
  size_t start_ = 0;
  size_t end_ = 0;
  // Scan state, advanced by HasLine (logically const: it only remembers what it looked at).
  mutable size_t scan_ = 0;                // [start_, scan_) holds no '\n'
  mutable size_t nl_ = std::string::npos;  // the '\n' HasLine found, if any
  size_t max_line_ = 0;
  bool discarding_ = false;  // inside an over-long line: Commit drops bytes up to its '\n'
  bool overlong_ = false;    // an over-long line awaits TakeOverlong
  std::string overlong_head_;
  uint64_t overlong_seen_ = 0;
};

}  // namespace bpfd
