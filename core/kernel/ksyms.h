// KernelSymbols: /proc/kallsyms loaded lazily on first use (or Reload()), resolved by address
// (nearest lower symbol) and by name. Owned by the caller; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

class KernelSymbols {
 public:
  // Reads /proc/kallsyms (or `path`, for tests) on first Resolve/Lookup.
  explicit KernelSymbols(std::string path = "/proc/kallsyms") : path_(std::move(path)) {}

  // Symbol containing addr: the highest symbol address <= addr. module is "kernel" or the
  // module name without brackets. -ENOENT if addr is below every symbol; -EACCES if kallsyms
  // hides addresses (kptr_restrict: every address 0); other -errno from reading the file.
  int Resolve(uint64_t addr, std::string* name, uint64_t* offset, std::string* module);

  // Address of the first symbol named `name` in kallsyms order (vmlinux before modules).
  // Accepts "module:name" to pick a module's symbol. -ENOENT when absent, -EACCES as above.
  int Lookup(const std::string& name, uint64_t* addr);

  // Drops the cached table and re-reads kallsyms (modules and BPF programs come and go).
  int Reload();

  size_t size() const { return syms_.size(); }

 private:
  struct Sym {
    uint64_t addr;
    uint32_t name_off;  // into names_
    uint32_t name_len;
    uint32_t module;  // index into modules_ (0 = "kernel")
    uint32_t order;   // line number in kallsyms
  };
  int EnsureLoaded();
  std::string_view NameOf(const Sym& s) const { return {names_.data() + s.name_off, s.name_len}; }

  std::string path_;
  bool loaded_ = false;
  int load_error_ = 0;
  std::string names_;                 // all names, concatenated
  std::vector<std::string> modules_;  // [0] = "kernel"
  std::vector<Sym> syms_;             // sorted by (addr, order)
  std::vector<uint32_t> by_name_;     // indexes into syms_, sorted by (name, order)
};

}  // namespace bpfd
