// UserSymbols: symbolizes user-space addresses of live processes (/proc/PID/maps + the mapped
// ELF's .symtab/.dynsym via libelf) and finds symbol addresses. ELF images are cached per object.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

namespace bpfd {

struct ElfImage;  // parsed symbols + PT_LOAD segments of one file (usyms.cc)

// One line of /proc/PID/maps.
struct MapEntry {
  uint64_t start = 0, end = 0, pgoff = 0;
  unsigned dev_major = 0, dev_minor = 0;
  uint64_t inode = 0;
  bool exec = false;
  std::string path;      // "" (anonymous), "[vdso]"..., or an absolute path
  bool deleted = false;  // path carried a " (deleted)" suffix (stripped from path)
};

// Parses /proc/<pid>/maps. -ESRCH when the process does not exist.
int ReadProcMaps(int pid, std::vector<MapEntry>* out);

class UserSymbols {
 public:
  UserSymbols();
  ~UserSymbols();
  UserSymbols(const UserSymbols&) = delete;
  UserSymbols& operator=(const UserSymbols&) = delete;

  // Symbol containing runtime address addr of process pid. module is the mapped file's path
  // (or "[vdso]" etc. with -ENOENT). -ESRCH: no such process; -ENOENT: unmapped or no symbol.
  int Resolve(int pid, uint64_t addr, bool demangle, std::string* name, uint64_t* offset,
              std::string* module);

  // Address of symbol `name` in `module`: an absolute path, a library name ("c", "libc",
  // "libc.so.6"), or "" for pid's main executable. Returns the runtime address when pid >= 0 and
  // the module is mapped in pid, else the ELF virtual address. -ENOENT when not found.
  int Lookup(int pid, const std::string& name, const std::string& module, uint64_t* addr);

  // The file offset of symbol `name` in the ELF file at path: what uprobes take as "offset".
  static int FileOffsetForSymbol(const std::string& path, const std::string& name, uint64_t* off);

  // The ELF virtual address (st_value) of symbol `name` in the file at path.
  static int SymbolVaddr(const std::string& path, const std::string& name, uint64_t* vaddr);

  void ClearCache() { cache_.clear(); }

 private:
  using Key = std::tuple<std::string, dev_t, ino_t, int64_t, int64_t>;  // path dev ino mtime
  // Opens the first openable of `candidates` and returns its (cached) parsed image.
  int GetImage(const std::string& key_path, const std::vector<std::string>& candidates,
               std::shared_ptr<const ElfImage>* out);
  int ResolveModulePath(int pid, const std::string& module, const std::vector<MapEntry>& maps,
                        std::string* path);

  std::map<Key, std::shared_ptr<const ElfImage>> cache_;
};

}  // namespace bpfd
