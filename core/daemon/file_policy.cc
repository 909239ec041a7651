#include "core/daemon/file_policy.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "core/base/tracefs_names.h"
#include "core/kernel/tracefs.h"
#include "core/wire/framing.h"

namespace bpfd {
namespace {

// What a rule allows on its paths.
enum : uint8_t {
  kMeta = 1,   // FILE_STAT, FILE_ACCESS, FILE_READLINK, FILE_STATFS
  kList = 2,   // FILE_LIST (and FILE_READ/FILE_OPEN of a directory: -EISDIR, as the host expects)
  kRead = 4,   // FILE_READ, FILE_OPEN read-only (then FILE_PREAD)
  kWrite = 8,  // FILE_OPEN for writing (then FILE_WRITE)
};
constexpr uint8_t kReadable = kMeta | kList | kRead;

// A rule: `prefix` and what lies below it (kExact: the prefix only; kNamePrefix: the names in
// its directory that start with its last component), resolved beneath `anchor`.
struct Rule {
  enum Match { kBelow, kExact, kNamePrefix };
  std::string_view prefix;
  std::string_view anchor;  // `prefix` or a directory above it
  uint8_t allow;
  Match match = kBelow;
};

// What tracing tools read (docs/security.md keeps this table for readers). /proc/PID is below.
constexpr Rule kRules[] = {
    {"/sys/kernel/tracing", "/sys/kernel/tracing", kReadable},
    {"/sys/kernel/tracing/kprobe_events", "/sys/kernel/tracing", kReadable | kWrite, Rule::kExact},
    {"/sys/kernel/tracing/uprobe_events", "/sys/kernel/tracing", kReadable | kWrite, Rule::kExact},
    {"/sys/kernel/debug", "/sys/kernel/debug", kMeta | kList, Rule::kExact},
    // BCC reads it as <debugfs tracing>/../kprobes/blacklist to list kprobe-able functions.
    {"/sys/kernel/debug/kprobes/blacklist", "/sys/kernel/debug", kReadable, Rule::kExact},
    {"/sys/kernel/debug/tracing", "/sys/kernel/debug/tracing", kReadable},
    {"/sys/kernel/debug/tracing/kprobe_events", "/sys/kernel/debug/tracing", kReadable | kWrite,
     Rule::kExact},
    {"/sys/kernel/debug/tracing/uprobe_events", "/sys/kernel/debug/tracing", kReadable | kWrite,
     Rule::kExact},
    {"/sys/kernel/btf", "/sys/kernel/btf", kReadable},
    {"/sys/kernel/kheaders.tar.xz", "/sys/kernel", kReadable, Rule::kExact},
    // Its devices/<pmu> entries are symlinks to /sys/devices/<pmu>.
    {"/sys/bus/event_source", "/sys", kReadable},
    {"/sys/devices/system/cpu", "/sys/devices/system/cpu", kReadable},
    {"/sys/devices/kprobe", "/sys/devices/kprobe", kReadable},
    {"/sys/devices/uprobe", "/sys/devices/uprobe", kReadable},
    {"/sys/devices/tracepoint", "/sys/devices/tracepoint", kReadable},
    {"/sys/devices/software", "/sys/devices/software", kReadable},
    {"/sys/fs/bpf", "/sys/fs/bpf", kReadable},
    {"/proc/kallsyms", "/proc", kReadable, Rule::kExact},
    {"/proc/config.gz", "/proc", kReadable, Rule::kExact},
    // Disk names for the block tools' device numbers (BCC reads diskstats, libbpf-tools
    // partitions).
    {"/proc/partitions", "/proc", kReadable, Rule::kExact},
    {"/proc/diskstats", "/proc", kReadable, Rule::kExact},
    // The first line of the top tools (filetop, biotop).
    {"/proc/loadavg", "/proc", kReadable, Rule::kExact},
    {"/proc/sys/kernel", "/proc/sys/kernel", kReadable},
    {"/proc/sys/net/core", "/proc/sys/net/core", kReadable},
    {"/boot/config-", "/boot", kReadable, Rule::kNamePrefix},
};

// What may be read where reading is allowed.
enum class Content {
  kAny,
  kElfOrPerfMap,  // below /proc/PID/root: ELF files, and tmp/perf-<pid>.map (BCC's perf maps)
};

// Where a normalised path is resolved and what it allows.
struct Place {
  std::string anchor;  // the directory resolution starts from and stays beneath
  std::string rel;     // the rest of the path ("": the anchor itself)
  Resolve how = Resolve::kBeneath;
  uint8_t allow = 0;
  bool magic_last = false;  // rel ends in a procfs magic link the rule follows (exe, ns/*)
  bool fd_link = false;     // /proc/PID/fd/N: its link text only, and only an anon inode's
  Content content = Content::kAny;
};

bool Under(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix &&
         (path.size() == prefix.size() || path[prefix.size()] == '/');
}

// The first component of *rest, removed from it with its '/'.
std::string_view PopComponent(std::string_view* rest) {
  size_t slash = rest->find('/');
  std::string_view head = rest->substr(0, slash);
  *rest = slash == std::string_view::npos ? std::string_view() : rest->substr(slash + 1);
  return head;
}

bool Digits(std::string_view s) {
  if (s.empty() || s.size() > 10) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool PerfMap(const Place& p) {
  std::string_view rel = p.rel;
  if (p.content != Content::kElfOrPerfMap || rel.substr(0, 9) != "tmp/perf-" || rel.size() < 14 ||
      rel.substr(rel.size() - 4) != ".map") {
    return false;
  }
  return Digits(rel.substr(9, rel.size() - 13));
}

// /proc/PID/... (and /proc/PID/task/TID/...): 1 placed, 0 not such a path, -1 refused, -2 a
// name procfs never has. Never mem, environ, cwd or the rest: what tracers read of another
// process only. fd/ lists, and its links name BPF and perf objects (BCC's bpflist), not files.
int LocateProc(std::string_view norm, Place* p) {
  if (norm.substr(0, 6) != "/proc/") return 0;
  std::string_view rest = norm.substr(6);
  std::string_view pid = PopComponent(&rest);
  if (!Digits(pid)) return 0;
  p->anchor = "/proc/" + std::string(pid);
  p->rel = std::string(rest);
  std::string_view leaf = rest;
  bool task = false;
  if (PopComponent(&leaf) == "task") {
    if (leaf.empty()) return p->allow = kMeta | kList, 1;
    if (!Digits(PopComponent(&leaf))) return -1;
    if (leaf.empty()) return p->allow = kMeta | kList, 1;
    task = true;
  } else {
    leaf = rest;
  }
  if (rest.empty() || leaf == "ns" || leaf == "fd") return p->allow = kMeta | kList, 1;
  if (leaf.substr(0, 3) == "fd/" && Digits(leaf.substr(3))) {
    p->fd_link = true;
    return p->allow = kMeta, 1;
  }
  if (leaf == "maps" || leaf == "comm" || leaf == "status" || leaf == "stat" || leaf == "cmdline")
    return p->allow = kMeta | kRead, 1;
  if (leaf == "exe" ||
      (leaf.substr(0, 3) == "ns/" && leaf.find('/', 3) == std::string_view::npos)) {
    p->magic_last = true;
    p->allow = leaf == "exe" ? kMeta | kRead : kMeta;
    return 1;
  }
  // BCC appends a module's name to the root's path for every process it symbolizes:
  // /proc/PID/root[vdso] does not exist, and says so without a refusal line per process.
  if (leaf.substr(0, 5) == "root[") return -2;
  if (task || !Under(leaf, "root")) return -1;
  // The traced process's files as it sees them: its absolute symlinks resolve in its root.
  p->anchor += "/root";
  p->rel = leaf.size() > 4 ? std::string(leaf.substr(5)) : std::string();
  p->how = Resolve::kInRoot;
  p->allow = kMeta | kRead;
  p->content = Content::kElfOrPerfMap;
  return 1;
}

// Places norm: nullptr, or why it has no place ("" for a name that cannot exist: -ENOENT).
const char* Locate(std::string_view norm, Place* p) {
  if (int proc = LocateProc(norm, p); proc != 0)
    return proc > 0 ? nullptr : proc == -2 ? "" : "not a file tracers read of a process";
  const Rule* best = nullptr;
  for (const Rule& r : kRules) {
    bool hit = r.match == Rule::kBelow ? Under(norm, r.prefix)
               : r.match == Rule::kExact
                   ? norm == r.prefix
                   : norm.size() > r.prefix.size() && norm.substr(0, r.prefix.size()) == r.prefix &&
                         norm.find('/', r.prefix.size()) == std::string_view::npos;
    if (hit && (!best || r.prefix.size() > best->prefix.size())) best = &r;
  }
  if (!best) return "not a tracing path";
  p->anchor = std::string(best->anchor);
  p->rel = norm.size() > best->anchor.size() ? std::string(norm.substr(best->anchor.size() + 1))
                                             : std::string();
  p->allow = best->allow;
  return nullptr;
}

// Host tools name tracefs by either usual mount point (BCC 0.26: /sys/kernel/debug/tracing);
// a device without debugfs (Android 11+) has it only at /sys/kernel/tracing. Either name
// reaches the device's tracefs: `norm` with its tracefs prefix replaced, or `norm` as is.
std::string RetargetTracefs(const std::string& norm) {
  std::string_view named = TracefsNameOf(norm);
  return named.empty() ? norm : TracefsAt(named) + norm.substr(named.size());
}

int Refuse(std::string_view cmd, std::string_view path, std::string_view why) {
  std::fprintf(stderr, "bpfd: policy: %.*s %s refused (%.*s; --unrestricted lifts this)\n",
               static_cast<int>(cmd.size()), cmd.data(), SafeLine(path).c_str(),
               static_cast<int>(why.size()), why.data());
  return -EACCES;
}

void SplitLast(std::string_view rel, std::string_view* dir, std::string_view* last) {
  size_t slash = rel.rfind('/');
  *dir = slash == std::string_view::npos ? std::string_view() : rel.substr(0, slash);
  *last = slash == std::string_view::npos ? rel : rel.substr(slash + 1);
}

// The directory holding the place's last component, and that component's name.
int OpenParent(const Place& p, int anchor, Resolver res, UniqueFd* dir, std::string* name) {
  if (p.rel.empty()) {  // the anchor itself: its directory is a fixed path (or /proc/PID)
    size_t slash = p.anchor.rfind('/');
    dir->reset(open(slash == 0 ? "/" : p.anchor.substr(0, slash).c_str(),
                    O_PATH | O_DIRECTORY | O_CLOEXEC));
    *name = p.anchor.substr(slash + 1);
    return *dir ? 0 : -errno;
  }
  std::string_view dir_rel, last;
  SplitLast(p.rel, &dir_rel, &last);
  *name = std::string(last);
  return OpenBeneath(anchor, dir_rel, O_PATH | O_DIRECTORY, 0, p.how, dir, res);
}

// The place opened with flags: beneath its anchor, or for a magic link the rule follows, its
// directory beneath the anchor and then the link, on purpose.
int OpenPlace(const Place& p, int anchor, int flags, mode_t mode, Resolver res, UniqueFd* out) {
  if (!p.magic_last) return OpenBeneath(anchor, p.rel, flags, mode, p.how, out, res);
  UniqueFd dir;
  std::string name;
  if (int r = OpenParent(p, anchor, res, &dir, &name); r < 0) return r;
  out->reset(openat(dir.get(), name.c_str(), flags | O_CLOEXEC, mode));
  return *out ? 0 : -errno;
}

// After opening a place for reading: nullptr, or why its content may not be read.
const char* ContentRefusal(const Place& p, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) return nullptr;  // reading it fails anyway
  if (!(p.allow & kRead)) return "metadata only";
  if (p.content == Content::kAny) return nullptr;
  if (!S_ISREG(st.st_mode)) return "not an ELF file or a perf map";
  // A perf map is its process's own file: a hard link (to /etc/shadow, where hard links are
  // not protected) has two names.
  if (PerfMap(p)) return st.st_nlink == 1 ? nullptr : "a perf map with other names";
  char magic[4];
  if (pread(fd, magic, 4, 0) == 4 && std::string_view(magic, 4) ==
                                         "\x7f"
                                         "ELF")
    return nullptr;
  return "not an ELF file or a perf map";
}

int OpenUnrestricted(const std::string& path, FileOp op, int flags, mode_t mode, FileTarget* t) {
  t->path = t->name = path;
  int fd = -1;
  if (op == FileOp::kList || op == FileOp::kListTree)
    fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // as opendir(3)
  else if (op == FileOp::kRead)
    fd = open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // a FIFO must not block us
  else if (op == FileOp::kOpen)
    fd = open(path.c_str(), flags | O_CLOEXEC | ((flags & O_ACCMODE) == O_RDONLY ? O_NONBLOCK : 0),
              mode);
  else
    return 0;
  if (fd < 0) return -errno;
  t->fd.reset(fd);
  return 0;
}

}  // namespace

std::string NormalisePath(std::string_view path) {
  if (path.empty() || path[0] != '/') return {};
  std::vector<std::string_view> parts;
  for (std::string_view rest = path.substr(1); !rest.empty();) {
    std::string_view part = PopComponent(&rest);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
  }
  std::string out;
  for (std::string_view part : parts) out.append("/").append(part);
  return out.empty() ? "/" : out;
}

bool HiddenPmu(const Session& s, std::string_view path) {
  if (s.probe_api() != ProbeApi::kTracefs) return false;
  for (std::string_view dir :
       {"/sys/bus/event_source/devices/kprobe", "/sys/bus/event_source/devices/uprobe",
        "/sys/devices/kprobe", "/sys/devices/uprobe"}) {
    if (Under(path, dir)) return true;
  }
  return false;
}

int ResolveFileTarget(const Session& s, std::string_view cmd, const std::string& path, FileOp op,
                      int flags, mode_t mode, FileTarget* t, Resolver res) {
  if (s.unrestricted()) {
    std::string norm = NormalisePath(path), moved = RetargetTracefs(norm);
    return OpenUnrestricted(moved != norm ? moved : path, op, flags, mode, t);
  }
  std::string norm = NormalisePath(path);
  if (norm.empty()) return Refuse(cmd, path, "not an absolute path");
  if (HiddenPmu(s, norm)) return -ENOENT;
  Place p;
  if (const char* why = Locate(norm, &p)) return *why ? Refuse(cmd, path, why) : -ENOENT;
  p.anchor = RetargetTracefs(p.anchor);
  if (p.fd_link && op != FileOp::kReadlink)
    return Refuse(cmd, path, "a process's fd link: readlink only");
  // Elsewhere a subdirectory can be something the policy does not list (/proc/PID/map_files).
  if (op == FileOp::kListTree && TracefsNameOf(norm).empty())
    return Refuse(cmd, path, "only tracefs is listed as a tree");
  t->anon_link_only = p.fd_link;
  const bool write = op == FileOp::kOpen &&
                     ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_EXCL | O_TRUNC)));
  const bool read = op == FileOp::kRead || (op == FileOp::kOpen && !write);
  const bool list = op == FileOp::kList || op == FileOp::kListTree;
  uint8_t need = write ? kWrite : read ? kRead | kList : list ? kList : kMeta;
  if (!(p.allow & need))
    return Refuse(
        cmd, path,
        write ? "not writable: only kprobe_events and uprobe_events are" : "metadata only");
  // kprobe_events and uprobe_events always exist (nothing is ever created), and O_TRUNC would
  // delete every session's events, not only this one's.
  if (write) flags &= ~(O_CREAT | O_EXCL | O_TRUNC);
  t->path = norm;
  UniqueFd anchor(open(p.anchor.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!anchor) return -errno;
  int r;
  switch (op) {
    case FileOp::kLstat:
    case FileOp::kReadlink:
      r = OpenParent(p, anchor.get(), res, &t->dir_owner, &t->name);
      t->dir = t->dir_owner.get();
      break;
    case FileOp::kStat:
    case FileOp::kAccess:
    case FileOp::kStatfs:
      r = OpenPlace(p, anchor.get(), O_PATH, 0, res, &t->fd);
      break;
    case FileOp::kList:
    case FileOp::kListTree:
      r = OpenPlace(p, anchor.get(), O_RDONLY | O_DIRECTORY, 0, res, &t->fd);
      break;
    default:  // a perf map is never read through a symlink; reads never block (a FIFO, a pipe)
      r = OpenPlace(p, anchor.get(),
                    (read ? O_RDONLY | O_NONBLOCK : flags) | (PerfMap(p) ? O_NOFOLLOW : 0), mode,
                    res, &t->fd);
  }
  if (r == -EXDEV || r == -ELOOP) return Refuse(cmd, path, "it resolves outside " + p.anchor);
  if (r < 0) return r;
  if (read) {
    if (const char* why = ContentRefusal(p, t->fd.get())) {
      t->fd.reset();
      return Refuse(cmd, path, why);
    }
  }
  return 0;
}

}  // namespace bpfd
