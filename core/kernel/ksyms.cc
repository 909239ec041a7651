// Kernel symbol table from /proc/kallsyms; see ksyms.h.
#include "core/kernel/ksyms.h"

#include <errno.h>

#include <algorithm>
#include <cstring>

#include "core/kernel/tracefs.h"

namespace bpfd {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

int KernelSymbols::Reload() {
  loaded_ = false;
  return EnsureLoaded();
}

int KernelSymbols::EnsureLoaded() {
  if (loaded_) return load_error_;
  loaded_ = true;
  load_error_ = 0;
  names_.clear();
  modules_.assign(1, "kernel");
  syms_.clear();
  by_name_.clear();

  std::string text;
  int r = ReadFile(path_, &text);
  if (r < 0) return load_error_ = r;

  bool any_nonzero = false;
  std::string_view last_module;  // lines of one module are contiguous: cache its index
  uint32_t last_module_idx = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  uint32_t order = 0;
  while (p < end) {
    const char* eol = static_cast<const char*>(memchr(p, '\n', end - p));
    if (!eol) eol = end;
    const char* q = p;
    p = eol + 1;
    // "<hex addr> <type> <name>[\t[module]]"
    uint64_t addr = 0;
    int digits = 0;
    for (int d; q < eol && (d = HexDigit(*q)) >= 0; ++q, ++digits) addr = (addr << 4) | d;
    if (digits == 0 || q >= eol || !IsBlank(*q)) continue;
    while (q < eol && IsBlank(*q)) ++q;
    if (q >= eol) continue;
    ++q;  // type letter
    while (q < eol && IsBlank(*q)) ++q;
    const char* name = q;
    while (q < eol && !IsBlank(*q)) ++q;
    if (q == name) continue;
    std::string_view name_sv(name, q - name);
    while (q < eol && IsBlank(*q)) ++q;
    uint32_t module_idx = 0;
    if (q < eol && *q == '[') {
      const char* close = static_cast<const char*>(memchr(q, ']', eol - q));
      std::string_view mod(q + 1, (close ? close : eol) - (q + 1));
      if (mod != last_module || last_module_idx == 0) {
        auto it = std::find(modules_.begin() + 1, modules_.end(), mod);
        last_module_idx = static_cast<uint32_t>(it - modules_.begin());
        if (it == modules_.end()) modules_.emplace_back(mod);
        last_module = mod;
      }
      module_idx = last_module_idx;
    }
    any_nonzero |= addr != 0;
    syms_.push_back(Sym{addr, static_cast<uint32_t>(names_.size()),
                        static_cast<uint32_t>(name_sv.size()), module_idx, order++});
    names_.append(name_sv);
  }
  if (syms_.empty()) return load_error_ = -ENOENT;
  if (!any_nonzero) {
    syms_.clear();
    names_.clear();
    return load_error_ = -EACCES;
  }
  std::sort(syms_.begin(), syms_.end(), [](const Sym& a, const Sym& b) {
    return a.addr != b.addr ? a.addr < b.addr : a.order < b.order;
  });
  by_name_.resize(syms_.size());
  for (uint32_t i = 0; i < by_name_.size(); ++i) by_name_[i] = i;
  std::sort(by_name_.begin(), by_name_.end(), [this](uint32_t a, uint32_t b) {
    int c = NameOf(syms_[a]).compare(NameOf(syms_[b]));
    return c != 0 ? c < 0 : syms_[a].order < syms_[b].order;
  });
  return 0;
}

int KernelSymbols::Resolve(uint64_t addr, std::string* name, uint64_t* offset,
                           std::string* module) {
  int r = EnsureLoaded();
  if (r < 0) return r;
  auto it = std::upper_bound(syms_.begin(), syms_.end(), addr,
                             [](uint64_t a, const Sym& s) { return a < s.addr; });
  if (it == syms_.begin()) return -ENOENT;
  --it;
  // Several names can share an address (_text/_stext): report the first in kallsyms order.
  while (it != syms_.begin() && (it - 1)->addr == it->addr) --it;
  if (it->addr == 0) return -ENOENT;  // a hidden/absolute entry, not a real location
  *name = std::string(NameOf(*it));
  *offset = addr - it->addr;
  *module = modules_[it->module];
  return 0;
}

int KernelSymbols::Lookup(const std::string& query, uint64_t* addr) {
  int r = EnsureLoaded();
  if (r < 0) return r;
  std::string_view name = query;
  std::string_view module;
  size_t colon = query.find(':');
  if (colon != std::string::npos) {
    module = name.substr(0, colon);
    name = name.substr(colon + 1);
  }
  auto less = [this](uint32_t i, std::string_view n) { return NameOf(syms_[i]) < n; };
  auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name, less);
  for (; it != by_name_.end() && NameOf(syms_[*it]) == name; ++it) {
    const Sym& s = syms_[*it];
    if (!module.empty() && modules_[s.module] != module) continue;
    if (s.addr == 0) continue;
    *addr = s.addr;
    return 0;
  }
  return -ENOENT;
}

}  // namespace bpfd
