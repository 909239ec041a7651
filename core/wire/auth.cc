#include "core/wire/auth.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/base/file_io.h"
#include "core/base/hex.h"
#include "core/base/random.h"
#include "core/base/sha256.h"
#include "core/base/unique_fd.h"

namespace bpfd {
namespace {

constexpr size_t kNonceBytes = 32;

bool IsNonce(std::string_view s) {
  if (s.size() != 2 * kNonceBytes) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string Mac(std::string_view token, std::string_view who, std::string_view dnonce,
                std::string_view cnonce) {
  std::string msg = "bpfd-" + std::string(who) + " ";
  msg.append(dnonce).append(" ").append(cnonce);
  const Sha256Digest mac = HmacSha256(token, msg);
  return HexOf(mac.data(), mac.size());
}

}  // namespace

int ReadTokenFile(const std::string& file, std::string* token, std::string* why) {
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  struct stat st;
  if (!fd || fstat(fd.get(), &st) < 0) {
    int e = errno;
    *why = "cannot read the token file '" + file + "': " + std::strerror(e);
    return -e;
  }
  if (!S_ISREG(st.st_mode)) {
    *why = "the token file '" + file + "' is not a regular file";
    return -EINVAL;
  }
  if (st.st_uid != geteuid() && st.st_uid != 0) {
    *why = "the token file '" + file + "' belongs to uid " + std::to_string(st.st_uid) +
           ", not to us or root: refusing a secret someone else controls";
    return -EACCES;
  }
  if (st.st_mode & 077) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(st.st_mode & 0777));
    *why = "the token file '" + file + "' is open to group or others (mode " + mode +
           "): chmod 600 it";
    return -EACCES;
  }
  std::string text;
  int r = ReadFd(fd.get(), &text, 64 * 1024);
  if (r < 0) {
    *why = "cannot read the token file '" + file + "': " + std::strerror(-r);
    return r;
  }
  *token = text.substr(0, text.find('\n'));
  if (!token->empty() && token->back() == '\r') token->pop_back();
  if (token->size() < kMinTokenBytes) {
    *why = "the token in '" + file + "' is shorter than " + std::to_string(kMinTokenBytes) +
           " bytes; make one with: (umask 077; head -c 32 /dev/urandom | base64 > FILE)";
    return -EINVAL;
  }
  return 0;
}

std::string NewAuthNonce() { return RandomHex(kNonceBytes); }

std::string FormatAuthChallenge(std::string_view dnonce) {
  return std::string(kAuthChallengePrefix) + std::string(dnonce);
}

bool ParseAuthChallenge(std::string_view line, std::string* dnonce) {
  if (line.substr(0, kAuthChallengePrefix.size()) != kAuthChallengePrefix) return false;
  std::string_view n = line.substr(kAuthChallengePrefix.size());
  if (!IsNonce(n)) return false;
  *dnonce = std::string(n);
  return true;
}

std::string FormatAuthResponse(std::string_view token, std::string_view dnonce,
                               std::string_view cnonce) {
  return std::string(cnonce) + " " + Mac(token, "client", dnonce, cnonce);
}

bool CheckAuthResponse(std::string_view token, std::string_view dnonce, std::string_view line,
                       std::string* cnonce) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos || !IsNonce(line.substr(0, sp))) return false;
  std::string_view c = line.substr(0, sp);
  // A client echoing our own nonce would make its MAC a function of ours alone.
  if (c == dnonce) return false;
  if (!ConstantTimeEqual(line.substr(sp + 1), Mac(token, "client", dnonce, c))) return false;
  *cnonce = std::string(c);
  return true;
}

bool LooksLikeAuthResponse(std::string_view line) {
  return line.size() == 129 && line[64] == ' ' && IsNonce(line.substr(0, 64)) &&
         IsNonce(line.substr(65));
}

std::string FormatAuthOk(std::string_view token, std::string_view dnonce, std::string_view cnonce) {
  return std::string(kAuthOkPrefix) + Mac(token, "daemon", dnonce, cnonce);
}

bool CheckAuthOk(std::string_view token, std::string_view dnonce, std::string_view cnonce,
                 std::string_view line) {
  return line.substr(0, kAuthOkPrefix.size()) == kAuthOkPrefix &&
         ConstantTimeEqual(line.substr(kAuthOkPrefix.size()), Mac(token, "daemon", dnonce, cnonce));
}

}  // namespace bpfd
