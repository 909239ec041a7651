// Helpers shared by the command handlers (see handler.h).
#include <poll.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "core/base/clock.h"
#include "core/base/file_io.h"
#include "core/base/line_reader.h"
#include "core/daemon/handler.h"
#include "core/wire/base64.h"

namespace bpfd {

int DecodeExact(std::string_view b64, uint64_t len, std::vector<uint8_t>* out) {
  if (len > (UINT64_MAX / 4) || Base64EncodedSize(len) != b64.size()) return -EINVAL;
  if (Base64Decode(b64, out) < 0 || out->size() != len) return -EINVAL;
  return 0;
}

int DecodeExact(std::string_view b64, uint64_t len, SmallBytes<>* out) {
  if (len > (UINT64_MAX / 4) || Base64EncodedSize(len) != b64.size() ||
      Base64DecodedSize(b64) != static_cast<int64_t>(len))
    return -EINVAL;
  out->resize(len);
  return Base64DecodeTo(b64, out->data()) < 0 ? -EINVAL : 0;
}

std::string ObjName(std::string_view name) {
  if (name == "__none__") return {};
  std::string out(name.substr(0, 15));
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.';
    if (!ok) c = '_';
  }
  return out;
}

Verdict ReplyFile(CommandReply& r, const std::vector<std::string>& paths) {
  int first_err = -ENOENT;
  for (size_t i = 0; i < paths.size(); ++i) {
    std::string text;
    int ret = ReadFile(paths[i], &text);
    if (ret >= 0) {
      r.Text(text);
      return Verdict::kDone;
    }
    if (i == 0) first_err = ret;
  }
  return r.Ret(first_err);
}

int WaitUnlessInput(Session& s, const std::vector<int>& fds, int timeout_ms,
                    const std::function<bool()>& done) {
  LineReader* in = s.input();
  std::vector<pollfd> pfds;
  for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
  if (in) pfds.push_back({in->fd(), POLLIN, 0});
  const int64_t deadline = Deadline(timeout_ms);
  bool hangup = false, flushed = false;
  while (!done() && !hangup && !(in && in->Ready())) {
    if (!std::exchange(flushed, true)) s.BeforeWait();  // about to block: held replies go first
    timespec ts{}, *tsp = nullptr;
    if (deadline >= 0) {
      int64_t left = PollTimeout(deadline);
      ts.tv_sec = static_cast<time_t>(left / 1000);
      ts.tv_nsec = static_cast<long>(left % 1000) * 1000000;
      tsp = &ts;
    }
    for (auto& p : pfds) p.revents = 0;
    int pr = ::ppoll(pfds.data(), pfds.size(), tsp, in ? in->wait_mask() : nullptr);
    if (pr < 0) return errno == EINTR ? 0 : -errno;  // a stop signal: the daemon looks at it
    if (pr == 0) return 0;                           // timeout
    for (size_t i = 0; i < fds.size(); ++i)
      hangup = hangup || (pfds[i].revents & (POLLHUP | POLLERR | POLLNVAL));
    if (in && pfds.back().revents) in->ReadAvailable();  // EOF/errors make Ready() true
  }
  return 0;
}

}  // namespace bpfd
