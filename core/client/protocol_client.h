// ProtocolClient: the host side of the BPFd line protocol over a spawned command's stdin/stdout
// (pipes). Every wait has a timeout; a dead peer is -EPIPE/-ECONNRESET, never a hang or SIGPIPE.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/base/clock.h"
#include "core/base/line_buffer.h"
#include "core/base/unique_fd.h"
#include "core/wire/framing.h"

namespace bpfd {

struct SpawnOptions {
  // The child's stderr: -1 inherits ours; otherwise this fd (not owned) is dup'ed onto it.
  int stderr_fd = -1;
  // The child leads its own session, away from our terminal's Ctrl-C (see StartOptions).
  bool new_session = false;
};

// Not thread-safe: one thread drives one client. Timeouts are in milliseconds; negative means
// no limit. Errors: -ETIMEDOUT (the peer stayed silent), -ECONNRESET (it closed its stdout or
// died), -EPIPE (it stopped reading), -EPROTO (malformed framing), other -errno from the OS.
class ProtocolClient {
 public:
  ProtocolClient() = default;
  ~ProtocolClient();  // Close(kSessionCleanupMs) if still running
  ProtocolClient(const ProtocolClient&) = delete;
  ProtocolClient& operator=(const ProtocolClient&) = delete;

  // Starts argv[0] (searched in PATH, execvp) with its stdin/stdout on pipes. Returns 0, or
  // -errno (including the exec failure, e.g. -ENOENT, reported back by the child).
  int Spawn(const std::vector<std::string>& argv, SpawnOptions opts = {});

  // Uses a connected socket (unix, tcp, vsock) as the peer instead of a child. 0 or -errno.
  int Attach(UniqueFd fd);

  // Uses an already started session whose banner was consumed: to_peer is written, from_peer
  // read (e.g. the two pipes `bpfd remote` hands to its LD_PRELOAD library). 0 or -errno.
  int AttachPair(UniqueFd to_peer, UniqueFd from_peer);

  // True if a signal interrupted a wait since the last call (the wait went on); clears it.
  bool TakeInterrupted() { return std::exchange(interrupted_, false); }

  // Reads lines until one is exactly "STARTED_BPFD" (other lines are skipped). 0 or -errno.
  int WaitBanner(int timeout_ms);

  // Sends `line` + '\n' and reads the reply framed by START_BPFD_OUTPUT / END_BPFD_OUTPUT;
  // *reply_lines receives the lines in between (replaced, not appended). `line` must be
  // non-empty, without '\n', and not "exit" (those get no reply; use Close()). The timeout
  // covers the whole call. After a timeout the unread rest of that reply is skipped by the
  // next call. Returns 0 or -errno.
  int Call(std::string_view line, std::vector<std::string>* reply_lines, int timeout_ms);

  // Like Call, but hands each reply line to on_line (a view valid only during the callback)
  // instead of storing it: no per-line allocation, for multi-megabyte replies. A negative
  // return from on_line stops the call (the rest of the reply is skipped later) and is
  // returned. Returns 0 or -errno.
  int CallEach(std::string_view line, const std::function<int(std::string_view)>& on_line,
               int timeout_ms);

  // Sends a command whose reply a later Answer() reads (in the order asked), so the round trip
  // overlaps other work: e.g. before a spawned daemon's banner, while it starts, or several
  // independent commands at once (call.h's CallBatch). Unanswered asks stay within
  // kMaxAskedBytes (else -E2BIG), so the peer never blocks writing replies while we still
  // write. Post() is refused (-EBUSY) while asks are unanswered; Call() skips unanswered
  // ones. 0 or -errno.
  static constexpr size_t kMaxAskedBytes = 16384;
  int Ask(std::string_view line, int timeout_ms);
  // The reply to the oldest unanswered Ask (as Call's lines), after skipping posted replies
  // before it. -ENOMSG when nothing was asked; else 0 or -errno.
  int Answer(std::vector<std::string>* reply_lines, int timeout_ms);

  // Sends a command whose reply the caller does not need (a close): the next call skips that
  // reply, so it costs no round trip. At most kMaxPosted are outstanding (then the replies
  // are read first, so the peer never blocks writing them). 0 or -errno.
  static constexpr int kMaxPosted = 64;
  int Post(std::string_view line, int timeout_ms);
  // Reads the replies of posted commands (before going away: a peer on a link that cannot
  // tell it closed, such as virtio-serial, would otherwise wait to write them). 0 or -errno.
  int Drain(int timeout_ms) { return SkipUnfinished(Deadline(timeout_ms)); }
  // Replies deflated by the daemon (after COMPRESS deflate: wire/deflated_reply.h) are inflated:
  // callers see the same lines. reply_bytes() counts what crossed the link.
  void set_inflate(bool on) { inflate_ = on; }
  bool inflate() const { return inflate_; }
  // The bytes of the last reply's lines as received (deflated if it was), newlines included.
  size_t reply_bytes() const { return reply_bytes_; }

  // The first lines ("<fn>: ret=<-errno>") of skipped replies that report a failure (posted
  // commands), at most kMaxSkippedFailures kept; taken once.
  static constexpr size_t kMaxSkippedFailures = 16;
  std::vector<std::string> TakeSkippedFailures() { return std::exchange(skipped_failures_, {}); }

  // True for a line the daemon answers: not empty, not "exit", one line.
  static bool Answered(std::string_view line);

  // Reads the next line the peer sent (e.g. a listener's challenge before the banner). 0 or
  // -errno.
  int ReadLine(int timeout_ms, std::string* line);

  // Sends `line` + '\n' without reading anything (e.g. "exit"). 0 or -errno.
  int Send(std::string_view line, int timeout_ms);

  // Sends "exit", closes both pipes and waits up to timeout_ms for the child to end (its
  // cleanup; one stderr line when that takes over kCleanupNoticeMs), then kills it (SIGKILL)
  // and reaps it. term_after_ms >= 0 (the pipes may be held by others, e.g. a tool's child):
  // a child still running after that long gets SIGTERM, which ends a daemon's session with
  // its cleanup, and terminated() says so. Returns its exit status (0..255), 128 + N if
  // signal N ended it, -ETIMEDOUT if it had to be killed, 0 for an attached socket, -ECHILD
  // if there was no peer.
  int Close(int timeout_ms = kSessionCleanupMs, int term_after_ms = -1);
  // True when the last Close had to send SIGTERM.
  bool terminated() const { return terminated_; }

  // Hands the connection over to someone else (e.g. an exec'ed program): *read_fd and
  // *write_fd take the two ends (for an attached socket, two fds of it), blocking and still
  // close-on-exec. The client keeps only the child, for Close() to reap. Fails with -EBUSY
  // when bytes from the peer are buffered or a reply is unfinished (they would be lost), or
  // -ENOTCONN without a connection. 0 or -errno.
  int ReleaseFds(UniqueFd* read_fd, UniqueFd* write_fd);

  // The child's pid while it runs (after Spawn, until Close), else -1.
  pid_t pid() const { return pid_; }

  // Bytes currently buffered from the peer but not yet consumed (for tests).
  size_t buffered() const { return lines_.size(); }

 private:
  // Next complete line (without '\n' and a trailing '\r') into *line, valid until the next
  // read. 0 or -errno.
  int NextLine(int64_t deadline_ms, std::string_view* line);
  // One poll + read into the buffer. 0 (some bytes read) or -errno.
  int Fill(int64_t deadline_ms);
  int WriteLine(std::string_view line, int64_t deadline_ms);
  // Takes the two ends of a new peer and clears the read state. 0 or -errno.
  int Reset(UniqueFd to_peer, UniqueFd from_peer);
  // Reads the first unfinished reply (written before), its lines to on_line. 0 or -errno.
  int ReadReply(int64_t deadline, const std::function<int(std::string_view)>& on_line);
  // Skips the rest of replies left unfinished by earlier calls, but the last `keep`. 0 or -errno.
  int SkipUnfinished(int64_t deadline_ms, int keep = 0);
  // Hands each line of a deflated body to on_line: 0, on_line's error, or -EPROTO.
  static int EachInflatedLine(std::string_view line,
                              const std::function<int(std::string_view)>& on_line);

  pid_t pid_ = -1;
  UniqueFd to_child_;    // its stdin (our write end, non-blocking)
  UniqueFd from_child_;  // its stdout (our read end, non-blocking)
  LineBuffer lines_;     // what the peer sent that no call has consumed yet
  bool eof_ = false;
  int unfinished_ = 0;       // replies whose END line has not been read yet
  int asked_ = 0;            // the last of them: asked, for Answer (after any posted ones)
  size_t asked_bytes_ = 0;   // the lines of the asks since asked_ was last 0
  bool in_reply_ = false;    // the first unfinished reply's START line has been read
  bool skip_first_ = false;  // SkipUnfinished read that START line: next comes the ret line
  std::vector<std::string> skipped_failures_;
  bool inflate_ = false;
  size_t reply_bytes_ = 0;
  bool interrupted_ = false;  // a signal hit a wait (see TakeInterrupted)
  bool terminated_ = false;   // the last Close sent SIGTERM
};

}  // namespace bpfd
