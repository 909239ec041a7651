#include "core/daemon/session.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "core/daemon/sweep.h"
#include "core/kernel/attached_probe.h"
#include "core/kernel/bpf_object.h"
#include "core/kernel/ksyms.h"
#include "core/kernel/perf_buffer.h"
#include "core/kernel/ring_mirror.h"
#include "core/kernel/usyms.h"

namespace bpfd {

Session::Session(SessionOptions opts)
    : opts_(opts), journal_(opts.kernel ? opts.state_dir : std::string()) {}

Session::~Session() { Cleanup(); }

int Session::AddMap(UniqueFd fd, const MapInfo& info) {
  int n = fd.get();
  maps_[n] = MapSlot{std::move(fd), info};
  return n;
}

const MapInfo* Session::FindMap(int fd) const {
  if (auto it = maps_.find(fd); it != maps_.end()) return &it->second.info;
  for (const auto& [handle, o] : objects_)
    if (auto it = o.maps.find(fd); it != o.maps.end()) return &it->second;
  return nullptr;
}

int Session::AddProg(UniqueFd fd) {
  int n = fd.get();
  progs_[n] = std::move(fd);
  return n;
}

bool Session::HasProg(int fd) const { return progs_.count(fd) != 0; }

int Session::AddProbe(const std::string& key, std::unique_ptr<AttachedProbe> probe) {
  int n = probe->fd();
  closed_keys_.erase(key);
  probes_.push_back(ProbeEntry{key, std::move(probe)});
  return n;
}

int Session::DetachProbes(const std::string& key) {
  bool found = false;
  // Reverse order: the newest attachment goes first.
  for (size_t i = probes_.size(); i-- > 0;) {
    if (probes_[i].key != key) continue;
    found = true;
    probes_.erase(probes_.begin() + static_cast<std::ptrdiff_t>(i));  // ~AttachedProbe detaches
  }
  if (found) return 0;
  if (closed_keys_.erase(key)) return 0;
  return -ENOENT;
}

bool Session::HasProbeFd(int fd) const {
  for (const auto& p : probes_)
    if (p.probe->fd() == fd) return true;
  return false;
}

int Session::ClosePerfEventFd(int fd) {
  for (size_t i = 0; i < probes_.size(); ++i) {
    if (probes_[i].probe->fd() != fd) continue;
    // A later BPF_DETACH_* for the same key should still succeed (BCC closes, then detaches).
    if (probes_[i].key.rfind("perf:", 0) != 0) closed_keys_.insert(probes_[i].key);
    probes_.erase(probes_.begin() + static_cast<std::ptrdiff_t>(i));
    return 0;
  }
  if (buffers_.erase(fd)) return 0;
  return -EINVAL;
}

int Session::AddPerfBuffer(std::unique_ptr<PerfBuffer> buf) {
  int n = buf->fd();
  buffers_[n] = BufferEntry{std::move(buf), 0};
  return n;
}

PerfBuffer* Session::FindPerfBuffer(int fd) {
  auto it = buffers_.find(fd);
  return it == buffers_.end() ? nullptr : it->second.buf.get();
}

std::vector<int> Session::PerfBufferFds() const {
  std::vector<int> fds;
  fds.reserve(buffers_.size());
  for (const auto& [fd, e] : buffers_) fds.push_back(fd);
  return fds;
}

uint64_t* Session::reported_lost(int fd) {
  auto it = buffers_.find(fd);
  return it == buffers_.end() ? nullptr : &it->second.reported_lost;
}

int Session::AddForwardedFd(UniqueFd fd, std::string path) {
  int n = fd.get();
  forwarded_[n] = ForwardedFd{std::move(fd), std::move(path), nullptr};
  return n;
}

ForwardedFd* Session::FindForwardedFd(int fd) {
  auto it = forwarded_.find(fd);
  return it == forwarded_.end() ? nullptr : &it->second;
}

bool Session::IsForeignFd(int fd) {
  ForwardedFd* f = FindForwardedFd(fd);
  return f && f->foreign;
}

int Session::CloseForwardedFd(int fd) { return forwarded_.erase(fd) ? 0 : -EBADF; }

int Session::AddObject(std::unique_ptr<BpfObject> obj, std::map<int, MapInfo> maps) {
  int n = next_object_++;
  objects_[n] = ObjectEntry{std::move(obj), std::move(maps)};
  return n;
}

int Session::CloseObject(int handle) {
  auto it = objects_.find(handle);
  if (it == objects_.end()) return -ENOENT;
  for (const auto& [fd, info] : it->second.maps) forwarded_.erase(fd);
  objects_.erase(it);
  return 0;
}

bool Session::RecordMade(const JournalEntry& e, bool undo_at_end) {
  if (std::find(made_.begin(), made_.end(), e) != made_.end()) return false;
  if (e.type == JournalEntry::Type::kKnob && HasKnob(e.path)) return false;
  journal_.Append('+', e);
  if (undo_at_end) made_.push_back(e);
  return true;
}

void Session::ForgetMade(const JournalEntry& e) {
  auto it = std::find(made_.begin(), made_.end(), e);
  if (it == made_.end()) return;
  journal_.Append('-', e);
  made_.erase(it);
}

void Session::ForgetEvent(std::string_view name) {
  const bool any_group = name.find('/') == std::string_view::npos;
  for (size_t i = made_.size(); i-- > 0;) {
    const JournalEntry& e = made_[i];
    if (e.type != JournalEntry::Type::kEvent) continue;
    std::string_view ev = e.name;
    if (any_group) ev.remove_prefix(ev.find('/') == std::string_view::npos ? 0 : ev.find('/') + 1);
    if (ev == name) ForgetMade(JournalEntry(e));
  }
}

bool Session::HasKnob(const std::string& path) const {
  return std::any_of(made_.begin(), made_.end(), [&](const JournalEntry& e) {
    return e.type == JournalEntry::Type::kKnob && e.path == path;
  });
}

KernelSymbols& Session::ksyms() {
  if (!ksyms_) ksyms_ = std::make_unique<KernelSymbols>();
  return *ksyms_;
}

UserSymbols& Session::usyms() {
  if (!usyms_) usyms_ = std::make_unique<UserSymbols>();
  return *usyms_;
}

void Session::Cleanup() {
  // Probes first (they hold programs attached), newest first; each removes its tracefs event.
  while (!probes_.empty()) probes_.pop_back();
  while (!objects_.empty()) objects_.erase(std::prev(objects_.end()));  // links, newest first
  closed_keys_.clear();
  buffers_.clear();
  forwarded_.clear();
  progs_.clear();
  maps_.clear();
  // Only now are the perf events that used the events closed.
  int failed = 0;
  for (size_t i = made_.size(); i-- > 0;) {
    if (int r = UndoJournalEntry(made_[i]); r < 0) {
      ++failed;
      std::fprintf(stderr, "bpfd: undoing %s: %s (left for the next start)\n",
                   FormatJournalEntry('+', made_[i]).c_str(), std::strerror(-r));
    }
  }
  made_.clear();
  if (failed == 0) journal_.Remove();
  ksyms_.reset();
  usyms_.reset();
}

}  // namespace bpfd
