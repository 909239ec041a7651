#include "preload/bpf_request.h"

#include <cerrno>
#include <cstring>

#include "core/wire/tokens.h"
#include "preload/state.h"

namespace bpfd::preload {

BpfRequest::BpfRequest(int cmd, union bpf_attr* attr, unsigned size)
    : cmd_(cmd), user_(attr), size_(size),
      attr_(reinterpret_cast<const char*>(attr), size) {}

uint32_t BpfRequest::U32(size_t off) const {
  uint32_t v = 0;
  if (Has(off, 4)) std::memcpy(&v, attr_.data() + off, 4);
  return v;
}

uint64_t BpfRequest::U64(size_t off) const {
  uint64_t v = 0;
  if (Has(off, 8)) std::memcpy(&v, attr_.data() + off, 8);
  return v;
}

void BpfRequest::SetU32(size_t off, uint32_t v) {
  if (Has(off, 4)) std::memcpy(attr_.data() + off, &v, 4);
}

void BpfRequest::Fd(size_t off) {
  if (!Has(off, 4)) return;
  uint32_t local = U32(off);
  int remote = State::Get().RemoteFd(static_cast<int>(local));
  if (static_cast<uint32_t>(remote) == local) return;
  fds_.emplace_back(off, local);
  SetU32(off, static_cast<uint32_t>(remote));
}

int BpfRequest::Ptr(size_t off, char dir, uint64_t len, const void* in) {
  uint64_t p = U64(off);
  if (!p || !len) return -1;
  void* user = reinterpret_cast<void*>(static_cast<uintptr_t>(p));
  bufs_.push_back({"a" + std::to_string(off), dir, len, in ? in : user, user});
  return static_cast<int>(bufs_.size() - 1);
}

const uint8_t* BpfRequest::CallerBytes(int i) const {
  return static_cast<const uint8_t*>(bufs_[i].out);
}

int BpfRequest::Nested(int parent, size_t off, char dir, uint64_t len) {
  if (parent < 0 || off + 8 > bufs_[parent].len || !len) return -1;
  uint64_t p = 0;
  std::memcpy(&p, CallerBytes(parent) + off, 8);
  if (!p) return -1;
  void* user = reinterpret_cast<void*>(static_cast<uintptr_t>(p));
  bufs_.push_back({"b" + std::to_string(parent) + "." + std::to_string(off), dir, len, user, user});
  return static_cast<int>(bufs_.size() - 1);
}

int64_t BpfRequest::Send() {
  std::string line = "SYS_BPF " + std::to_string(cmd_) + " " + Token(attr_.data(), attr_.size());
  for (const Buf& b : bufs_) {
    line += " " + b.slot + " " + b.dir + " " + std::to_string(b.len) + " ";
    line += b.dir == 'o' ? std::string("-") : Token(b.in, b.len);
  }
  std::vector<std::string> rest;
  State& st = State::Get();
  int64_t ret = st.Call(line, &rest);
  std::string bytes;
  if (!rest.empty() && Untoken(rest[0], &bytes) && bytes.size() == size_) {
    std::memcpy(user_, bytes.data(), size_);
    for (auto& [off, local] : fds_) std::memcpy(reinterpret_cast<char*>(user_) + off, &local, 4);
  }
  for (size_t i = 1; i < rest.size(); ++i) {
    auto t = SplitTokens(rest[i]);
    uint32_t idx = 0;
    if (t.size() < 2 || !ParseUint32(t[0], &idx) || idx >= bufs_.size() || !Untoken(t[1], &bytes))
      continue;
    Buf& b = bufs_[idx];
    if (b.dir == 'i') continue;
    std::memcpy(b.out, bytes.data(), std::min<uint64_t>(b.len, bytes.size()));
  }
  return ret;
}

}  // namespace bpfd::preload
