#include "core/client/object_client.h"

#include <linux/bpf.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/client/call.h"
#include "core/wire/base64.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

constexpr uint64_t kPollBytes = 4u << 20;  // per ring and poll: a few link-sized batches

void AppendBlob(std::span<const uint8_t> data, std::string* line) {
  line->append(" ").append(std::to_string(data.size())).push_back(' ');
  if (data.empty()) {
    line->push_back('-');
  } else {
    Base64Append(data.data(), data.size(), line);
  }
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) s += l + "\n";
  return s;
}

// A call whose failure on the target ends the caller: its ret (>= 0), or a Status (the
// transport's, or "<what>: <strerror>").
Result<int64_t> CallRet(Backend& b, const std::string& line, const std::string& what) {
  Result<CallReply> r = Call(b, line);
  if (!r.ok()) return r.status();
  if (r->ret < 0)
    return Error(static_cast<int>(r->ret), what + ": " + std::strerror(static_cast<int>(-r->ret)));
  return r->ret;
}

}  // namespace

Result<ObjectRecord> LoadObject(Backend& b, std::string_view name, std::span<const uint8_t> object,
                                std::span<const uint8_t> btf) {
  std::string line = "OBJ_LOAD " + std::string(name);
  AppendBlob(object, &line);
  AppendBlob(btf, &line);
  Result<CallReply> r = Call(b, line, {.needs = "a bpfd with OBJ_LOAD (bpfd run)"});
  if (!r.ok()) return r.status();
  if (r->ret < 0) {
    std::string why = Joined(r->data);
    if (why.empty()) why = std::strerror(static_cast<int>(-r->ret));
    return Error(static_cast<int>(r->ret), why);
  }
  ObjectRecord rec;
  if (r->data.size() != static_cast<size_t>(r->ret) || ParseObjectRecord(r->data, &rec) < 0)
    return Error(-EPROTO, "the daemon's OBJ_LOAD reply was malformed");
  return rec;
}

Status CloseObject(Backend& b, int handle) {
  Result<CallReply> r = Call(b, "OBJ_CLOSE " + std::to_string(handle));
  if (!r.ok()) return r.status();
  if (r->ret < 0) return Error(static_cast<int>(r->ret), "OBJ_CLOSE: no such object");
  return {};
}

Status ClearMap(Backend& b, const ObjectMapRecord& m) {
  Result<int64_t> r =
      CallRet(b, "BPF_CLEAR_MAP " + std::to_string(m.fd) + " " + std::to_string(m.key_size),
              "cannot clear map " + m.name);
  return r.ok() ? Status{} : r.status();
}

Status MapRingbuf(Backend& b, const ObjectMapRecord& m) {
  Result<int64_t> r =
      CallRet(b, "RING_MAP " + std::to_string(m.fd) + " ringbuf " + std::to_string(m.max_entries),
              "cannot map ringbuf " + m.name);
  return r.ok() ? Status{} : r.status();
}

long long SplitRingbufRecords(std::span<const uint8_t> raw,
                              const std::function<void(std::span<const uint8_t>)>& on_record) {
  long long n = 0;
  size_t at = 0;
  while (at < raw.size()) {
    if (raw.size() - at < BPF_RINGBUF_HDR_SZ) return -EPROTO;
    uint32_t hdr;
    std::memcpy(&hdr, raw.data() + at, sizeof(hdr));
    uint64_t len = hdr & ~(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
    uint64_t total = (len + BPF_RINGBUF_HDR_SZ + 7) & ~uint64_t{7};
    if ((hdr & BPF_RINGBUF_BUSY_BIT) || total > raw.size() - at) return -EPROTO;
    if (!(hdr & BPF_RINGBUF_DISCARD_BIT)) {
      on_record(raw.subspan(at + BPF_RINGBUF_HDR_SZ, len));
      ++n;
    }
    at += total;
  }
  return n;
}

Result<size_t> PollRingbufs(Backend& b, const std::vector<int>& fds, int timeout_ms,
                            const std::function<void(int, std::span<const uint8_t>)>& on_record) {
  std::string line = "RING_POLL " + std::to_string(timeout_ms);
  for (int fd : fds) line += " " + std::to_string(fd) + ":" + std::to_string(kPollBytes);
  Result<CallReply> r = Call(b, line);
  if (!r.ok()) return r.status();
  if (r->ret < 0)
    return Error(static_cast<int>(r->ret),
                 std::string("RING_POLL: ") + std::strerror(static_cast<int>(-r->ret)));
  size_t records = 0;
  std::vector<uint8_t> bytes;
  for (const std::string& l : r->data) {
    std::vector<std::string_view> t = SplitTokens(l);
    int fd;
    if (t.size() != 2 || !ParseInt(t[0], &fd) || DecodeData(t[1], &bytes) < 0)
      return Error(-EPROTO, "the daemon's RING_POLL reply was malformed");
    long long n =
        SplitRingbufRecords(bytes, [&](std::span<const uint8_t> rec) { on_record(fd, rec); });
    if (n < 0) return Error(-EPROTO, "a ringbuf record in RING_POLL's reply is cut short");
    records += static_cast<size_t>(n);
  }
  return records;
}

Result<std::vector<int>> OpenPerfBuffers(Backend& b, const ObjectMapRecord& m, int page_cnt) {
  std::vector<int> fds;
  Status last = Error(-ENOENT, "map " + m.name + " has no entries");
  for (uint32_t cpu = 0; cpu < m.max_entries; ++cpu) {
    Result<CallReply> r =
        Call(b, "BPF_OPEN_PERF_BUFFER -1 " + std::to_string(cpu) + " " + std::to_string(page_cnt));
    if (!r.ok()) return r.status();
    if (r->ret < 0) {  // an offline CPU: its slot stays empty, as with libbpf
      last = Error(static_cast<int>(r->ret), "cannot open a perf buffer for CPU " +
                                                 std::to_string(cpu) + ": " +
                                                 std::strerror(static_cast<int>(-r->ret)));
      continue;
    }
    uint32_t key = cpu, value = static_cast<uint32_t>(r->ret);
    std::string line = "BPF_UPDATE_ELEM " + std::to_string(m.fd) + " ";
    Base64Append(reinterpret_cast<const uint8_t*>(&key), sizeof(key), &line);
    line += " 4 ";
    Base64Append(reinterpret_cast<const uint8_t*>(&value), sizeof(value), &line);
    line += " 4 0";
    Result<int64_t> u = CallRet(
        b, line, "cannot store CPU " + std::to_string(cpu) + "'s perf buffer in map " + m.name);
    if (!u.ok()) return u.status();
    fds.push_back(value);
  }
  if (fds.empty()) return last;
  return fds;
}

Result<size_t> PollPerfBuffers(
    Backend& b, const std::vector<int>& fds, int timeout_ms,
    const std::function<void(int, std::span<const uint8_t>)>& on_record) {
  std::string line =
      "PERF_READER_POLL " + std::to_string(timeout_ms) + " " + std::to_string(fds.size());
  for (int fd : fds) line += " " + std::to_string(fd);
  Result<CallReply> r = Call(b, line, {.listing_fn = "perf_reader_poll"});
  if (!r.ok()) return r.status();
  if (r->ret < 0)
    return Error(static_cast<int>(r->ret),
                 std::string("PERF_READER_POLL: ") + std::strerror(static_cast<int>(-r->ret)));
  std::vector<uint8_t> bytes;
  for (const std::string& l : r->data) {
    std::vector<std::string_view> t = SplitTokens(l);
    int fd;
    uint32_t size;
    if (t.size() != 3 || !ParseInt(t[0], &fd) || !ParseUint32(t[1], &size) ||
        DecodeData(t[2], &bytes) < 0 || bytes.size() != size)
      return Error(-EPROTO, "the daemon's PERF_READER_POLL reply was malformed");
    on_record(fd, bytes);
  }
  return r->data.size();
}

uint64_t PerfBuffersLost(Backend& b, const std::vector<int>& fds) {
  std::string line = "PERF_READER_LOST";
  for (int fd : fds) line += " " + std::to_string(fd);
  Result<CallReply> r = Call(b, line);
  uint64_t lost = 0;
  if (!r.ok() || r->ret < 0) return 0;
  for (const std::string& l : r->data) {
    std::vector<std::string_view> t = SplitTokens(l);
    uint64_t n;
    if (t.size() == 2 && ParseUint64(t[1], &n)) lost += n;
  }
  return lost;
}

}  // namespace bpfd
