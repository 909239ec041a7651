// libFuzzer target for the line splitter both protocol readers use (core/base/line_buffer.h,
// core/base/line_reader.h): arbitrary bytes written in fuzzer-chosen chunks into a pipe or a
// socketpair and read back by a LineReader (with or without a ppoll wait mask), or fed straight
// into a LineBuffer, must come out as exactly the input's lines (CheckLines).
//
// Input: byte 0 = mode bits, bytes 1..k = chunk sizes (k = (mode & 7) + 1, each size is
// byte + 1, times 64 with mode bit 7), cycled; the rest is the stream.
//   mode bit 3: a socketpair instead of a pipe   bit 4: ReadLine waits with a wait mask
//   bit 5: a bare LineBuffer (Space/Commit with the chunk size as min_free), no fd at all
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/line_buffer.h"
#include "core/base/line_reader.h"
#include "core/base/unique_fd.h"

namespace {

// The one place that states what a reader must return for `in` (its documented contract):
// each '\n'-terminated line without its '\n' and one trailing '\r', then the unterminated tail,
// if any, likewise without one trailing '\r'. A line-length cap would be checked here.
void CheckLines(std::string_view in, const std::vector<std::string>& got) {
  size_t i = 0;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view want = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    if (!want.empty() && want.back() == '\r') want.remove_suffix(1);
    if (i >= got.size() || got[i] != want) std::abort();
    if (got[i].find('\n') != std::string::npos) std::abort();
    ++i;
  }
  if (i != got.size()) std::abort();  // more lines out than in
}

std::vector<size_t> Chunks(const uint8_t* data, size_t size, size_t* header) {
  uint8_t mode = data[0];
  size_t k = (mode & 7) + 1;
  std::vector<size_t> sizes;
  for (size_t i = 0; i < k && 1 + i < size; ++i)
    sizes.push_back((data[1 + i] + 1u) * ((mode & 0x80) ? 64 : 1));
  if (sizes.empty()) sizes.push_back(1);
  *header = std::min(size, 1 + k);
  return sizes;
}

bool WriteAll(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = write(fd, s.data(), s.size());
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::vector<std::string> ThroughBuffer(std::string_view in, const std::vector<size_t>& sizes) {
  bpfd::LineBuffer buf;
  std::vector<std::string> got;
  std::string_view line;
  for (size_t c = 0; !in.empty(); ++c) {
    size_t n = std::min(sizes[c % sizes.size()], in.size());
    std::span<char> space = buf.Space(n);
    if (space.size() < n) std::abort();
    std::memcpy(space.data(), in.data(), n);
    buf.Commit(n);
    in.remove_prefix(n);
    while (buf.NextLine(&line)) got.emplace_back(line);
  }
  if (!buf.empty()) got.emplace_back(buf.TakeRest());
  if (!buf.empty()) std::abort();
  return got;
}

std::vector<std::string> ThroughFd(std::string_view in, const std::vector<size_t>& sizes,
                                   bool socket, bool masked) {
  int fds[2];
  if (socket ? socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) : pipe2(fds, O_CLOEXEC))
    std::abort();
  bpfd::UniqueFd rd(fds[0]), wr(fds[1]);
  // Non-blocking, so a read with nothing buffered says so instead of waiting: each chunk is
  // drained before the next is written, and the chunk boundaries are the fuzzer's.
  fcntl(rd.get(), F_SETFL, O_NONBLOCK);
  sigset_t mask;
  sigprocmask(SIG_SETMASK, nullptr, &mask);
  bpfd::LineReader reader(rd.get(), masked ? &mask : nullptr);
  std::vector<std::string> got;
  std::string line;
  for (size_t c = 0; !in.empty(); ++c) {
    size_t n = std::min(sizes[c % sizes.size()], in.size());
    if (!WriteAll(wr.get(), in.substr(0, n))) std::abort();
    in.remove_prefix(n);
    int r = reader.ReadAvailable();
    if (r != static_cast<int>(n)) std::abort();  // the whole chunk, in one read
    while (reader.Ready()) {
      if (reader.ReadLine(&line) != 1) std::abort();
      got.push_back(line);
    }
  }
  wr.reset();  // EOF: the unterminated tail comes out, then 0
  for (int r; (r = reader.ReadLine(&line)) != 0;) {
    if (r != 1) std::abort();
    got.push_back(line);
  }
  if (reader.ReadLine(&line) != 0) std::abort();  // EOF stays EOF
  return got;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t header;
  std::vector<size_t> sizes = Chunks(data, size, &header);
  std::string_view in(reinterpret_cast<const char*>(data) + header, size - header);
  uint8_t mode = data[0];
  CheckLines(in, (mode & 0x20) ? ThroughBuffer(in, sizes)
                               : ThroughFd(in, sizes, mode & 0x08, mode & 0x10));
  return 0;
}
