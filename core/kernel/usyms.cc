// User-space symbolization; see usyms.h.
#include "core/kernel/usyms.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/base/demangle.h"
#include "core/base/unique_fd.h"
#include "core/kernel/elf_image.h"
#include "core/kernel/tracefs.h"

namespace bpfd {
namespace {

constexpr size_t kMaxCachedImages = 128;
constexpr std::string_view kDeleted = " (deleted)";

std::string ProcPath(int pid, const char* what) {
  return "/proc/" + std::to_string(pid) + "/" + what;
}

std::string_view Basename(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

// "c" / "libc" / "libc.so.6" against a file name such as "libc.so.6" or "libc-2.31.so".
bool LibraryMatches(std::string_view base, std::string_view module) {
  if (base == module) return true;
  for (std::string stem : {std::string(module), "lib" + std::string(module)}) {
    if (base.size() <= stem.size() || base.substr(0, stem.size()) != stem) continue;
    std::string_view rest = base.substr(stem.size());
    if (rest.substr(0, 3) == ".so" && (rest.size() == 3 || rest[3] == '.')) return true;
    if (rest[0] == '-' && rest.find(".so") != std::string_view::npos) return true;
  }
  return false;
}

// Load bias (runtime - ELF vaddr) implied by mapping m of an image, if m maps part of a PT_LOAD.
bool BiasFromMapping(const ElfImage& img, const MapEntry& m, uint64_t* bias) {
  uint64_t len = m.end - m.start;
  for (const ElfImage::Segment& s : img.segments) {
    if (s.filesz == 0) continue;
    bool overlap = m.pgoff < s.offset + s.filesz && s.offset < m.pgoff + len;
    if (!overlap) continue;
    *bias = (m.start - m.pgoff) - (s.vaddr - s.offset);
    return true;
  }
  return false;
}

bool ParseHex(const char*& p, uint64_t* v) {
  char* end;
  errno = 0;
  unsigned long long x = strtoull(p, &end, 16);
  if (end == p || errno) return false;
  *v = x;
  p = end;
  return true;
}

}  // namespace

int ReadProcMaps(int pid, std::vector<MapEntry>* out) {
  out->clear();
  if (pid < 0) return -EINVAL;
  std::string text;
  int r = ReadFile(ProcPath(pid, "maps"), &text);
  if (r < 0) return r == -ENOENT ? -ESRCH : r;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    // start-end perms offset major:minor inode [path]
    MapEntry m;
    const char* p = line.c_str();
    uint64_t major = 0, minor = 0;
    if (!ParseHex(p, &m.start) || *p++ != '-' || !ParseHex(p, &m.end) || *p++ != ' ') continue;
    if (strlen(p) < 5) continue;
    m.exec = p[2] == 'x';
    p += 4;
    if (*p++ != ' ' || !ParseHex(p, &m.pgoff) || *p++ != ' ') continue;
    if (!ParseHex(p, &major) || *p++ != ':' || !ParseHex(p, &minor)) continue;
    m.dev_major = static_cast<unsigned>(major);
    m.dev_minor = static_cast<unsigned>(minor);
    char* end;
    m.inode = strtoull(p, &end, 10);
    p = end;
    while (*p == ' ') ++p;
    m.path = p;
    if (m.path.size() > kDeleted.size() &&
        m.path.compare(m.path.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
      m.path.resize(m.path.size() - kDeleted.size());
      m.deleted = true;
    }
    out->push_back(std::move(m));
  }
  return 0;
}

UserSymbols::UserSymbols() = default;
UserSymbols::~UserSymbols() = default;

int UserSymbols::GetImage(const std::string& key_path, const std::vector<std::string>& candidates,
                          std::shared_ptr<const ElfImage>* out) {
  int err = -ENOENT;
  for (const std::string& c : candidates) {
    UniqueFd fd;
    if (int r = ElfImage::OpenFile(c, &fd); r < 0) {
      if (r == -ENOEXEC) return r;  // not a regular file (a FIFO, a device)
      err = r;
      continue;
    }
    struct stat st;
    if (fstat(fd.get(), &st) != 0) return -errno;
    Key key(key_path, st.st_dev, st.st_ino, static_cast<int64_t>(st.st_mtim.tv_sec),
            static_cast<int64_t>(st.st_mtim.tv_nsec));
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      *out = it->second;
      return 0;
    }
    std::unique_ptr<ElfImage> img;
    int r = ElfImage::Load(fd.get(), &img);
    if (r < 0) return r;
    if (cache_.size() >= kMaxCachedImages) cache_.clear();
    std::shared_ptr<const ElfImage> shared(std::move(img));
    cache_.emplace(std::move(key), shared);
    *out = std::move(shared);
    return 0;
  }
  return err;
}

int UserSymbols::Resolve(int pid, uint64_t addr, bool demangle, std::string* name, uint64_t* offset,
                         std::string* module) {
  module->clear();
  std::vector<MapEntry> maps;
  int r = ReadProcMaps(pid, &maps);
  if (r < 0) return r;
  const MapEntry* m = nullptr;
  for (const MapEntry& e : maps) {
    if (addr >= e.start && addr < e.end) {
      m = &e;
      break;
    }
  }
  if (!m) return -ENOENT;
  *module = m->path;
  if (m->path.empty() || m->path[0] != '/') return -ENOENT;  // anonymous, [vdso], [heap]...

  char range[64];
  std::snprintf(range, sizeof(range), "map_files/%llx-%llx",
                static_cast<unsigned long long>(m->start), static_cast<unsigned long long>(m->end));
  std::shared_ptr<const ElfImage> img;
  r = GetImage(m->path, {ProcPath(pid, range), ProcPath(pid, "root") + m->path, m->path}, &img);
  if (r < 0) return r;
  uint64_t vaddr;
  if (!img->FileOffsetToVaddr(addr - m->start + m->pgoff, &vaddr)) return -ENOENT;
  const ElfImage::Symbol* sym = img->FindByVaddr(vaddr);
  if (!sym) return -ENOENT;
  *name = demangle ? Demangle(img->NameOf(*sym)) : std::string(img->NameOf(*sym));
  *offset = vaddr - sym->addr;
  return 0;
}

int UserSymbols::ResolveModulePath(int pid, const std::string& module,
                                   const std::vector<MapEntry>& maps, std::string* path) {
  if (module.empty()) {
    if (pid < 0) return -EINVAL;
    char buf[4096];
    ssize_t n = readlink(ProcPath(pid, "exe").c_str(), buf, sizeof(buf) - 1);
    if (n < 0) return errno == ENOENT ? -ESRCH : -errno;
    path->assign(buf, static_cast<size_t>(n));
    if (path->size() > kDeleted.size() &&
        path->compare(path->size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0) {
      path->resize(path->size() - kDeleted.size());
    }
    return 0;
  }
  if (module.find('/') != std::string::npos) {
    *path = module;
    return 0;
  }
  for (const MapEntry& m : maps) {
    if (!m.path.empty() && m.path[0] == '/' && LibraryMatches(Basename(m.path), module)) {
      *path = m.path;
      return 0;
    }
  }
  // Not mapped (or no pid): search the usual library directories (of pid's root if given).
  std::string root = pid >= 0 ? ProcPath(pid, "root") : "";
  std::vector<std::string> dirs;
  for (const char* base : {"/lib", "/usr/lib", "/lib64", "/usr/lib64", "/usr/local/lib"}) {
    dirs.emplace_back(base);
    if (DIR* d = opendir((root + base).c_str())) {
      while (struct dirent* e = readdir(d)) {
        if (strstr(e->d_name, "-linux-")) dirs.push_back(std::string(base) + "/" + e->d_name);
      }
      closedir(d);
    }
  }
  for (const std::string& dir : dirs) {
    DIR* d = opendir((root + dir).c_str());
    if (!d) continue;
    std::vector<std::string> hits;
    while (struct dirent* e = readdir(d)) {
      if (LibraryMatches(e->d_name, module)) hits.push_back(dir + "/" + e->d_name);
    }
    closedir(d);
    // Prefer real shared objects over dev symlinks/linker scripts: longest name (libc.so.6).
    std::sort(hits.begin(), hits.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const std::string& h : hits) {
      std::unique_ptr<ElfImage> probe;
      if (ElfImage::LoadPath(root + h, &probe) == 0) {
        *path = h;
        return 0;
      }
    }
  }
  return -ENOENT;
}

int UserSymbols::Lookup(int pid, const std::string& name, const std::string& module,
                        uint64_t* addr) {
  if (name.empty()) return -EINVAL;
  std::vector<MapEntry> maps;
  if (pid >= 0) {
    int r = ReadProcMaps(pid, &maps);
    if (r < 0) return r;
  }
  std::string path;
  int r = ResolveModulePath(pid, module, maps, &path);
  if (r < 0) return r;
  std::vector<std::string> candidates;
  if (pid >= 0) candidates.push_back(ProcPath(pid, "root") + path);
  candidates.push_back(path);
  std::shared_ptr<const ElfImage> img;
  r = GetImage(path, candidates, &img);
  if (r < 0) return r;
  const ElfImage::Symbol* sym = img->FindByName(name);
  if (!sym) return -ENOENT;
  *addr = sym->addr;
  if (pid < 0) return 0;

  // Identify the file's mappings by path, or by device+inode (symlinked spellings of a path).
  struct stat st;
  bool have_st = false;
  for (const std::string& c : candidates) {
    if (stat(c.c_str(), &st) == 0) {
      have_st = true;
      break;
    }
  }
  for (const MapEntry& m : maps) {
    bool same =
        m.path == path || (have_st && m.inode == st.st_ino && m.dev_major == major(st.st_dev) &&
                           m.dev_minor == minor(st.st_dev));
    uint64_t bias;
    if (same && BiasFromMapping(*img, m, &bias)) {
      *addr = sym->addr + bias;
      return 0;
    }
  }
  return 0;  // not mapped in pid: the ELF virtual address
}

int UserSymbols::SymbolVaddr(const std::string& path, const std::string& name, uint64_t* vaddr) {
  std::unique_ptr<ElfImage> img;
  int r = ElfImage::LoadPath(path, &img);
  if (r < 0) return r;
  const ElfImage::Symbol* sym = img->FindByName(name);
  if (!sym) return -ENOENT;
  *vaddr = sym->addr;
  return 0;
}

int UserSymbols::FileOffsetForSymbol(const std::string& path, const std::string& name,
                                     uint64_t* off) {
  std::unique_ptr<ElfImage> img;
  int r = ElfImage::LoadPath(path, &img);
  if (r < 0) return r;
  const ElfImage::Symbol* sym = img->FindByName(name);
  if (!sym) return -ENOENT;
  return img->VaddrToFileOffset(sym->addr, off) ? 0 : -ENOENT;
}

}  // namespace bpfd
