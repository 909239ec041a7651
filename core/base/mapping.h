// Mapping: one mmap(2)ed region, unmapped on destruction (move-only RAII).
#pragma once
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace bpfd {

class Mapping {
 public:
  Mapping() = default;
  Mapping(void* addr, size_t len) : addr_(addr), len_(len) {}
  Mapping(Mapping&& o) noexcept : addr_(o.addr_), len_(o.len_) { o.addr_ = nullptr; }
  Mapping& operator=(Mapping&& o) noexcept {
    if (this != &o) {
      if (addr_) munmap(addr_, len_);
      addr_ = o.addr_;
      len_ = o.len_;
      o.addr_ = nullptr;
    }
    return *this;
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() {
    if (addr_) munmap(addr_, len_);
  }
  uint8_t* data() const { return static_cast<uint8_t*>(addr_); }
  size_t size() const { return len_; }

 private:
  void* addr_ = nullptr;
  size_t len_ = 0;
};

}  // namespace bpfd
