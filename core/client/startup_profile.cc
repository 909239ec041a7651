#include "core/client/startup_profile.h"

#include <sys/stat.h>
#include <cerrno>

#include <set>

#include "core/base/file_io.h"
#include "core/base/hex.h"
#include "core/base/sha256.h"
#include "core/base/tracefs_names.h"
#include "core/wire/base64.h"
#include "core/wire/sys_bpf_record.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr std::string_view kHeader = "bpfd-startup-profile 1";

bool Under(std::string_view path, std::string_view dir) {
  return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

// Absolute, without "." or ".." components or empty ones, and not a process's.
bool PlainPath(std::string_view path) {
  if (!path.starts_with('/') || path.find('\0') != std::string_view::npos) return false;
  for (std::string_view rest = path.substr(1); !rest.empty();) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    if (part.empty() || part == "." || part == "..") return false;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  if (Under(path, "/proc")) {
    std::string_view first = path.substr(6, path.find('/', 6) - 6);
    if (first == "self" || first == "thread-self" ||
        first.find_first_not_of("0123456789") == std::string_view::npos)
      return false;
  }
  return true;
}

std::string_view Basename(std::string_view path) { return path.substr(path.rfind('/') + 1); }

// Files that describe the kernel: small or held in the store, read at once, no side effect.
bool DescriptionFile(std::string_view path) {
  if (std::string_view t = TracefsNameOf(path); !t.empty()) {
    std::string_view rest = path.substr(t.size());
    if (rest == "/available_events" || rest == "/available_filter_functions") return true;
    return Under(rest, "/events") && (Basename(rest) == "id" || Basename(rest) == "format");
  }
  for (std::string_view f :
       {"/proc/kallsyms", "/proc/config.gz", "/proc/version", "/sys/devices/system/cpu/possible",
        "/sys/devices/system/cpu/online", "/sys/devices/system/cpu/present"})
    if (path == f) return true;
  return Under(path, "/sys/kernel/btf") || Under(path, "/proc/sys/kernel") ||
         Under(path, "/proc/sys/net/core") || Under(path, "/sys/bus/event_source/devices") ||
         path.starts_with("/boot/config-");
}

// The line's command and its path (the second field, a data token). false: not a path command.
bool PathOf(std::string_view line, std::string_view* cmd, std::string* path) {
  size_t sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  *cmd = line.substr(0, sp);
  std::string_view tok = line.substr(sp + 1);
  tok = tok.substr(0, tok.find(' '));
  std::vector<uint8_t> bytes;
  if (DecodeData(tok, &bytes) < 0) return false;
  path->assign(bytes.begin(), bytes.end());
  return true;
}

}  // namespace

// The length of a creation's head ("SYS_BPF <cmd> "), or 0.
static size_t CreationHead(std::string_view line) {
  for (std::string_view head : {"SYS_BPF 0 ", "SYS_BPF 5 ", "SYS_BPF 18 "})
    if (line.starts_with(head)) return head.size();
  return 0;
}

bool CreationCommand(std::string_view line) { return CreationHead(line) > 0; }

bool CreationLine(std::string_view line) {
  const size_t head = CreationHead(line);
  if (head == 0 || line.find('\n') != std::string_view::npos) return false;
  SysBpfRequest req;
  return ParseSysBpfArgs(SplitTokens(line.substr(head)), &req) == 0;
}

bool Prefetchable(std::string_view line) {
  if (line == "SYS_UNAME" || CreationLine(line)) return true;
  std::string_view cmd;
  std::string path;
  if (line.find('\n') != std::string_view::npos || !PathOf(line, &cmd, &path) || !PlainPath(path))
    return false;
  if (cmd == "FILE_STAT" || cmd == "FILE_STATFS" || cmd == "FILE_ACCESS" || cmd == "FILE_LIST" ||
      cmd == "FILE_LIST_TREE")
    return true;
  return (cmd == "FILE_READ" || cmd == "FILE_READ_CACHED") && DescriptionFile(path);
}

std::string ProfileLine(std::string_view line) {
  if (!line.starts_with("FILE_READ_CACHED ")) return std::string(line);
  size_t end = line.find(' ', sizeof "FILE_READ_CACHED");
  return std::string(line.substr(0, end));
}

StartupProfile::StartupProfile(const std::string& dir, std::string_view key) : dir_(dir) {
  if (!dir.empty()) {
    Sha256Digest d = Sha256Of(key);
    path_ = dir + "/profiles/" + HexOf(d.data(), d.size());
  }
}

std::vector<std::string> StartupProfile::Load() const {
  std::vector<std::string> lines;
  std::string text;
  if (path_.empty() || ReadFile(path_, &text, 2 * kMaxBytes) < 0) return lines;
  std::string_view rest = text;
  size_t nl = rest.find('\n');
  if (nl == std::string_view::npos || rest.substr(0, nl) != kHeader) return lines;
  for (rest.remove_prefix(nl + 1); !rest.empty();) {
    nl = rest.find('\n');
    if (nl == std::string_view::npos) return {};  // cut short: not ours, or damaged
    std::string_view line = rest.substr(0, nl);
    if (!Prefetchable(line) || lines.size() == kMaxLines) return {};
    lines.emplace_back(line);
    rest.remove_prefix(nl + 1);
  }
  return lines;
}

int StartupProfile::Save(const std::vector<std::string>& lines) const {
  if (path_.empty()) return 0;
  std::string text = std::string(kHeader) + "\n";
  std::set<std::string> kept;
  for (const std::string& line : lines) {
    std::string l = ProfileLine(line);
    if (!Prefetchable(l) || kept.size() == kMaxLines || text.size() + l.size() + 1 > kMaxBytes ||
        !kept.insert(l).second)
      continue;
    text += l + "\n";
  }
  for (const char* sub : {"", "/profiles"}) mkdir((dir_ + sub).c_str(), 0700);
  return ReplaceFile(path_, text);
}

}  // namespace bpfd
