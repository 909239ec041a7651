// Authenticating a listening daemon's peer (docs/security.md): the shared token file both
// sides read, and the challenge–response both sides speak before the banner:
//   daemon  "BPFD_AUTH hmac-sha256 <dnonce>"
//   client  "<cnonce> <HMAC(token, "bpfd-client <dnonce> <cnonce>")>"
//   daemon  "BPFD_AUTH_OK <HMAC(token, "bpfd-daemon <dnonce> <cnonce>")>", then STARTED_BPFD;
//           or "BPFD_AUTH_FAIL <why>" and it closes.
// Nonces are 32 random bytes in hex; MACs are hex. The token never crosses the link, so a
// listener impostor learns nothing it can replay, and the client checks the daemon's proof.
#pragma once
#include <string>
#include <string_view>

namespace bpfd {

inline constexpr size_t kMinTokenBytes = 16;
inline constexpr std::string_view kAuthChallengePrefix = "BPFD_AUTH hmac-sha256 ";
inline constexpr std::string_view kAuthOkPrefix = "BPFD_AUTH_OK ";
inline constexpr std::string_view kAuthFailPrefix = "BPFD_AUTH_FAIL ";

// The token: the first line of `file` (without a trailing CR). 0, or -errno with *why: the
// file is missing, not a regular file, owned by someone but us or root, readable or writable
// by group or others (-EACCES), or its token is shorter than kMinTokenBytes (-EINVAL).
int ReadTokenFile(const std::string& file, std::string* token, std::string* why);

// A fresh nonce ("" if the kernel gives no random bytes).
std::string NewAuthNonce();

std::string FormatAuthChallenge(std::string_view dnonce);
// false unless line is a challenge with a well-formed nonce.
bool ParseAuthChallenge(std::string_view line, std::string* dnonce);

std::string FormatAuthResponse(std::string_view token, std::string_view dnonce,
                               std::string_view cnonce);
// The client's nonce when line answers dnonce with the right MAC (compared in constant time).
bool CheckAuthResponse(std::string_view token, std::string_view dnonce, std::string_view line,
                       std::string* cnonce);

// True when line has a response's shape ("<nonce> <mac>"), right or wrong.
bool LooksLikeAuthResponse(std::string_view line);

std::string FormatAuthOk(std::string_view token, std::string_view dnonce, std::string_view cnonce);
bool CheckAuthOk(std::string_view token, std::string_view dnonce, std::string_view cnonce,
                 std::string_view line);

}  // namespace bpfd
