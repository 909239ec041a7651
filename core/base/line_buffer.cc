#include "core/base/line_buffer.h"

#include <algorithm>
#include <cstring>

namespace bpfd {
namespace {
constexpr size_t kKeepSize = 4u << 20;  // after a larger line, an empty buffer is given back
}  // namespace

std::span<char> LineBuffer::Space(size_t min_free) {
  if (discarding_) {  // everything buffered is being dropped: reuse the start, stay small
    start_ = end_ = scan_ = 0;
    if (buf_.size() > kKeepSize) std::string().swap(buf_);
    if (buf_.size() < min_free) buf_.resize(min_free);
    return {buf_.data(), buf_.size()};
  }
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
  if (buf_.size() - end_ < want) {
    size_t grow = std::max(buf_.size() * 2, end_ + want);
    // Under a cap, room for one more read past a line of max_line_ bytes is all it takes; a
    // line past half the cap gets that room at once, so a nearly capped buffer is never copied.
    const size_t capped = start_ + max_line_ + min_free;
    if (max_line_ > 0 && grow > capped / 2) {
      grow = std::max(end_ + min_free, capped);
      buf_.reserve(grow);  // exactly: resize alone may double the capacity
    }
    buf_.resize(grow);
  }
  return {buf_.data() + end_, buf_.size() - end_};
}

void LineBuffer::Commit(size_t n) {
  if (discarding_) {  // the bytes sit at [0, n): drop them up to the line's '\n'
    const void* nl = std::memchr(buf_.data(), '\n', n);
    if (!nl) return;
    discarding_ = false;
    start_ = scan_ = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
    end_ = n;
    nl_ = std::string::npos;
  } else {
    end_ += n;
  }
  CheckOverlong();
}

void LineBuffer::CheckOverlong() {
  if (max_line_ == 0 || discarding_ || end_ - start_ <= max_line_ || HasLine()) return;
  NoteOverlong(end_ - start_);
  discarding_ = true;
  start_ = end_ = scan_ = 0;
  nl_ = std::string::npos;
}

void LineBuffer::NoteOverlong(size_t seen) {
  if (overlong_) return;  // one report at a time; a second before the first is taken joins it
  overlong_ = true;
  overlong_head_.assign(buf_.data() + start_, std::min(kOverlongHead, seen));
  overlong_seen_ = seen;
}

bool LineBuffer::TakeOverlong(std::string* head, uint64_t* seen) {
  if (!overlong_) return false;
  overlong_ = false;
  head->swap(overlong_head_);
  overlong_head_.clear();
  *seen = overlong_seen_;
  return true;
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
  if (!HasLine()) {
    CheckOverlong();  // what is left after the lines taken may be an over-long one
    return false;
  }
  if (max_line_ > 0 && nl_ - start_ > max_line_) {  // arrived whole, but over the cap all the same
    NoteOverlong(nl_ - start_);
    start_ = scan_ = nl_ + 1;
    nl_ = std::string::npos;
    return false;
  }
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
  discarding_ = overlong_ = false;
  nl_ = std::string::npos;
  if (release) std::string().swap(buf_);
}

}  // namespace bpfd
