#include "core/base/line_buffer.h"

#include <algorithm>
#include <cstring>

namespace bpfd {
namespace {
constexpr size_t kKeepSize = 4u << 20;  // after a larger line, an empty buffer is given back
}  // namespace

std::span<char> LineBuffer::Space(size_t min_free) {
  if (start_ == end_) {
    start_ = end_ = scan_ = 0;
    nl_ = std::string::npos;
    if (buf_.size() > kKeepSize) std::string().swap(buf_);
  }
  if (buf_.size() - end_ < min_free && start_ > 0 && start_ >= end_ - start_) {
    // The consumed prefix dominates: move the tail down (amortised linear).
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    scan_ -= start_;
    if (nl_ != std::string::npos) nl_ -= start_;
    start_ = 0;
  }
  size_t want = std::max(min_free, end_ - start_);
  if (buf_.size() - end_ < want) buf_.resize(std::max(buf_.size() * 2, end_ + want));
  return {buf_.data() + end_, buf_.size() - end_};
}

bool LineBuffer::HasLine() const {
  if (nl_ != std::string::npos) return true;
  if (scan_ < end_) {
    const void* nl = std::memchr(buf_.data() + scan_, '\n', end_ - scan_);
    if (nl) {
      nl_ = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      return true;
    }
    scan_ = end_;
  }
  return false;
}

bool LineBuffer::NextLine(std::string_view* line) {
  if (!HasLine()) return false;
  size_t len = nl_ - start_;
  if (len > 0 && buf_[nl_ - 1] == '\r') --len;
  *line = std::string_view(buf_.data() + start_, len);
  start_ = scan_ = nl_ + 1;
  nl_ = std::string::npos;
  return true;
}

std::string_view LineBuffer::TakeRest() {
  std::string_view rest(buf_.data() + start_, end_ - start_);
  if (!rest.empty() && rest.back() == '\r') rest.remove_suffix(1);
  start_ = scan_ = end_;
  nl_ = std::string::npos;
  return rest;
}

void LineBuffer::Clear(bool release) {
  start_ = end_ = scan_ = 0;
  nl_ = std::string::npos;
  if (release) std::string().swap(buf_);
}

}  // namespace bpfd
