// libFuzzer target for the listener's challenge–response (core/daemon/handshake.h,
// core/wire/auth.h) from both ends, over real socketpairs:
//   byte 0 even: the daemon's side. The rest is what a client sends, split into chunks at each
//     \x02 byte (not sent); placeholders let the fuzzer reach acceptance without guessing a MAC:
//     \x01D the daemon's nonce, \x01R a right response, \x01E a response that echoes the
//     daemon's nonce as its own with a right MAC. Bit 1 of byte 0: credentials are checked
//     (byte 1 picks the peer's uid). Checked: the state machine ends (the client's EOF
//     refuses), it accepts only a line that is exactly a right response (recomputed here from
//     the token, independently of CheckAuthResponse), and what it then sends is a valid proof
//     (or a BPFD_AUTH_FAIL line).
//   byte 0 odd: the client's side (core/client/listener_auth.h). The rest is what a daemon
//     sends; \x01C is a challenge line and \x01K waits for the client's response and sends the
//     daemon's right proof of it. Checked: AuthenticateToListener returns, and never succeeds
//     after answering a challenge unless the proof it got was right.
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/base/hex.h"
#include "core/base/sha256.h"
#include "core/base/unique_fd.h"
#include "core/client/listener_auth.h"
#include "core/client/protocol_client.h"
#include "core/daemon/handshake.h"
#include "core/wire/auth.h"

namespace {

const std::string kToken = "fuzz-token-0123456789abcdef";
const std::string kClientNonce(64, 'c');

// The MAC of the protocol (wire/auth.h), computed here without the code under test.
std::string Mac(std::string_view who, std::string_view dnonce, std::string_view cnonce) {
  std::string msg =
      "bpfd-" + std::string(who) + " " + std::string(dnonce) + " " + std::string(cnonce);
  bpfd::Sha256Digest d = bpfd::HmacSha256(kToken, msg);
  return bpfd::HexOf(d.data(), d.size());
}

bool IsLowerHexNonce(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

// A right response to dnonce: "<cnonce> <mac>" with a fresh, well-formed cnonce != dnonce.
bool IsRightResponse(std::string_view line, std::string_view dnonce) {
  if (line.size() != 129 || line[64] != ' ') return false;
  std::string_view c = line.substr(0, 64);
  return IsLowerHexNonce(c) && c != dnonce && line.substr(65) == Mac("client", dnonce, c);
}

std::string Expand(std::string_view in, std::string_view dnonce) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\x01' && i + 1 < in.size()) {
      char p = in[++i];
      if (p == 'D')
        out += dnonce;
      else if (p == 'R')
        out += kClientNonce + " " + Mac("client", dnonce, kClientNonce);
      else if (p == 'E')
        out += std::string(dnonce) + " " + Mac("client", dnonce, dnonce);
      else
        out += {'\x01', p};
      continue;
    }
    out += in[i];
  }
  return out;
}

std::string RecvAll(int fd) {
  std::string s;
  char buf[4096];
  for (ssize_t n; (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0;) s.append(buf, n);
  return s;
}

void FuzzDaemonSide(uint8_t mode, std::string_view in) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) std::abort();
  bpfd::UniqueFd client(sv[1]);
  bpfd::Peer peer{.name = "fuzz", .source = "fuzz", .has_cred = true};
  bpfd::AdmissionRules rules{.token = &kToken, .check_cred = (mode & 2) != 0, .allow_uid = 1000};
  if (rules.check_cred && !in.empty()) {
    peer.uid = static_cast<uid_t>(in[0] % 3 == 0 ? 0 : 999 + in[0] % 3);  // 0, 1000, 1001
    in.remove_prefix(1);
  }
  bpfd::Handshake h(bpfd::UniqueFd(sv[0]), peer, rules, 0);
  std::string why;
  bpfd::Handshake::State st = h.Start(&why);
  if (st == bpfd::Handshake::State::kRefused) {
    if (!rules.check_cred || peer.uid == 0 || peer.uid == 1000 || why.empty()) std::abort();
    return;
  }
  if (st != bpfd::Handshake::State::kWaiting) std::abort();
  std::string challenge = RecvAll(client.get()), dnonce;
  if (challenge.empty() || challenge.back() != '\n') std::abort();
  challenge.pop_back();
  if (!bpfd::ParseAuthChallenge(challenge, &dnonce)) std::abort();

  std::string bytes = Expand(in, dnonce), sent;
  std::string_view rest = bytes;
  auto drive = [&] {
    // Each OnReadable reads at least one byte or ends the handshake: a bound on the calls.
    for (int calls = 0; st == bpfd::Handshake::State::kWaiting; ++calls) {
      int queued = 0;
      ioctl(h.fd(), FIONREAD, &queued);
      if (queued == 0 && rest.data() != nullptr) return;
      if (calls > 4096) std::abort();  // does not terminate
      st = h.OnReadable(&why);
    }
  };
  while (!rest.empty() && st == bpfd::Handshake::State::kWaiting) {
    size_t cut = rest.find('\x02');
    std::string_view chunk = rest.substr(0, cut);
    rest.remove_prefix(cut == std::string_view::npos ? rest.size() : cut + 1);
    if (!chunk.empty() && send(client.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL) !=
                              static_cast<ssize_t>(chunk.size()))
      std::abort();
    sent.append(chunk);
    drive();
  }
  if (st == bpfd::Handshake::State::kWaiting) {
    shutdown(client.get(), SHUT_WR);
    rest = std::string_view();  // data() == nullptr: drive to the end, EOF must refuse
    drive();
    if (st != bpfd::Handshake::State::kRefused) std::abort();
  }
  if (st == bpfd::Handshake::State::kAuthenticated) {
    int queued = 0;
    ioctl(h.fd(), FIONREAD, &queued);
    std::string_view line = sent;
    if (queued != 0 || line.empty() || line.back() != '\n') std::abort();
    line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!IsRightResponse(line, dnonce)) std::abort();  // accepted without the right MAC
    bpfd::UniqueFd admitted = h.Admit();
    if (!admitted) std::abort();
    std::string ok = RecvAll(client.get());
    std::string want =
        std::string(bpfd::kAuthOkPrefix) + Mac("daemon", dnonce, line.substr(0, 64)) + "\n";
    if (ok != want) std::abort();
    return;
  }
  if (why.empty() || why.find('\n') != std::string::npos) std::abort();
  h.Refuse(why);
  std::string fail = RecvAll(client.get());
  if (fail != std::string(bpfd::kAuthFailPrefix) + why + "\n") std::abort();
}

// The token file the client reads: ours, mode 0600, in $TEST_TMPDIR under Bazel, else in the
// working directory (tools/fuzz runs each harness in its own directory of $BPFD_CACHE/fuzz).
const std::string& TokenFile() {
  static const std::string path = [] {
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string file = std::string(tmp ? tmp : ".") + "/bpfd-fuzz-token";
    bpfd::UniqueFd fd(open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    std::string text = kToken + "\n";
    if (!fd || fchmod(fd.get(), 0600) != 0 ||
        write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()))
      std::abort();
    return file;
  }();
  return path;
}

struct FakeDaemon {
  bool answered = false;  // the client sent something that is not "exit"
  bool proved = false;    // we sent the right proof of a right response
};

// Reads one line from fd within 2 s ("" on EOF or timeout).
std::string ReadLine(int fd, std::string* pending) {
  for (;;) {
    size_t nl = pending->find('\n');
    if (nl != std::string::npos) {
      std::string line = pending->substr(0, nl);
      pending->erase(0, nl + 1);
      return line;
    }
    pollfd p{fd, POLLIN, 0};
    char buf[512];
    ssize_t n = poll(&p, 1, 2000) == 1 ? read(fd, buf, sizeof(buf)) : 0;
    if (n <= 0) return std::string();
    pending->append(buf, n);
  }
}

void RunFakeDaemon(int fd, std::string_view in, FakeDaemon* out) {
  const std::string dnonce(64, 'd');
  std::string pending, line_so_far;
  // A complete challenge line went out and the client's response is not read yet (it answers
  // one challenge only, so a later \x01K does not wait).
  bool challenged = false, consumed = false;
  auto send_text = [&](const std::string& s) {
    send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    for (char c : s) {
      if (c != '\n') {
        line_so_far += c;
        continue;
      }
      if (!line_so_far.empty() && line_so_far.back() == '\r') line_so_far.pop_back();
      challenged = challenged || line_so_far == bpfd::FormatAuthChallenge(dnonce);
      line_so_far.clear();
    }
  };
  std::string text;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\x01' && i + 1 < in.size() && (in[i + 1] == 'C' || in[i + 1] == 'K')) {
      send_text(text);
      text.clear();
      if (in[++i] == 'C') {
        send_text(bpfd::FormatAuthChallenge(dnonce) + "\n");
      } else if (challenged && !consumed) {
        consumed = true;
        std::string resp = ReadLine(fd, &pending);
        if (resp.empty() || resp == "exit") continue;
        out->answered = true;
        if (!IsRightResponse(resp, dnonce)) std::abort();  // the client's own MAC is wrong
        send_text(std::string(bpfd::kAuthOkPrefix) + Mac("daemon", dnonce, resp.substr(0, 64)) +
                  "\n");
        out->proved = true;
      }
      continue;
    }
    text += in[i];
  }
  send_text(text);
  shutdown(fd, SHUT_WR);
  for (std::string l; !(l = ReadLine(fd, &pending)).empty();)
    if (l != "exit") out->answered = true;
}

void FuzzClientSide(std::string_view in) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) std::abort();
  bpfd::UniqueFd daemon_end(sv[1]);
  FakeDaemon fake;
  std::thread t(RunFakeDaemon, daemon_end.get(), in, &fake);
  int r;
  {
    bpfd::ProtocolClient c;
    if (c.Attach(bpfd::UniqueFd(sv[0])) < 0) std::abort();
    std::string error;
    r = bpfd::AuthenticateToListener(&c, TokenFile(), 5000, &error);
    if (r < 0 && error.empty()) std::abort();
  }  // closes the client's socket: the fake daemon's reads end
  t.join();
  if (r == 0 && fake.answered && !fake.proved) std::abort();  // trusted an unproven daemon
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 8192) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1)
    FuzzClientSide(in);
  else
    FuzzDaemonSide(data[0], in);
  return 0;
}
