// Client side of the object commands (core/daemon/object.cc) and of reading a BPF ringbuf
// through RING_MAP/RING_POLL: what `bpfd run` asks of a daemon, local or remote.
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/client/backend.h"
#include "core/wire/object_record.h"

namespace bpfd {

// Ships an ELF object named `name` ([A-Za-z0-9_.-]{1,63}: libbpf names its .rodata/.bss maps
// after it) (and, when not empty, the BTF to relocate it against); the daemon loads
// and attaches it. On failure the Status's msg carries libbpf's messages (the verifier's log,
// a CO-RE relocation that failed, a policy refusal) as the daemon wrote them.
Result<ObjectRecord> LoadObject(Backend& b, std::string_view name, std::span<const uint8_t> object,
                                std::span<const uint8_t> btf);
// Detaches and closes it (ending the session does the same).
Status CloseObject(Backend& b, int handle);

// Deletes every entry of map `m` (a record of the loaded object): a top tool's per-interval
// reset. Entries the programs add while it runs may survive or go, as with BCC's clear().
Status ClearMap(Backend& b, const ObjectMapRecord& m);

// Maps ringbuf map `m` (a record of the loaded object) for RingbufReader.
Status MapRingbuf(Backend& b, const ObjectMapRecord& m);

// One RING_POLL over the mapped ringbufs: waits up to timeout_ms for a record, then calls
// on_record(fd, payload) for each committed record in order (discarded ones skipped). Returns
// the number of records, or a Status.
Result<size_t> PollRingbufs(Backend& b, const std::vector<int>& fds, int timeout_ms,
                            const std::function<void(int, std::span<const uint8_t>)>& on_record);

// For PERF_EVENT_ARRAY map `m`: a perf buffer of page_cnt pages for each CPU (its index
// in the map, as libbpf's perf_buffer__new does), stored in the map. CPUs that cannot have
// one (offline) are skipped. Returns the buffers' fds, or a Status if none could be opened.
Result<std::vector<int>> OpenPerfBuffers(Backend& b, const ObjectMapRecord& m, int page_cnt);

// One PERF_READER_POLL over those buffers: waits up to timeout_ms, then calls on_record(fd,
// sample) for each sample's raw data (as bpf_perf_event_output wrote it, padded to 8 bytes
// with its 4-byte size). Returns the number of samples, or a Status.
Result<size_t> PollPerfBuffers(Backend& b, const std::vector<int>& fds, int timeout_ms,
                               const std::function<void(int, std::span<const uint8_t>)>& on_record);

// Samples the kernel dropped in those buffers (full buffers), summed; 0 if it cannot tell.
uint64_t PerfBuffersLost(Backend& b, const std::vector<int>& fds);

// Splits raw ringbuf bytes (8-byte headers, 8-byte aligned records) into payloads: the
// number of records, or -EPROTO when a header does not fit the bytes.
long long SplitRingbufRecords(std::span<const uint8_t> raw,
                              const std::function<void(std::span<const uint8_t>)>& on_record);

}  // namespace bpfd
