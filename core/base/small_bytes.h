// A byte buffer that keeps up to N bytes inline: map keys and values of the per-element
// commands are mostly small, and a heap allocation each costs as much as parsing the line.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace bpfd {

template <size_t N = 64>
class SmallBytes {
 public:
  explicit SmallBytes(size_t n = 0) { resize(n); }
  // The contents are unspecified after a resize (callers fill them).
  void resize(size_t n) {
    if (n > N && n > heap_size_) {
      heap_ = std::make_unique_for_overwrite<uint8_t[]>(n);
      heap_size_ = n;
    }
    size_ = n;
  }
  uint8_t* data() { return size_ > N ? heap_.get() : inline_; }
  const uint8_t* data() const { return size_ > N ? heap_.get() : inline_; }
  size_t size() const { return size_; }
  std::span<const uint8_t> span() const { return {data(), size_}; }

 private:
  uint8_t inline_[N];
  std::unique_ptr<uint8_t[]> heap_;
  size_t heap_size_ = 0;
  size_t size_ = 0;
};

}  // namespace bpfd
