// TracepointBtf: BTF made from tracefs's event `format` files, for kernels built without BTF
// (armv7 here, many vendor kernels). A CO-RE object's tracepoint programs take their event's
// record as `struct trace_event_raw_<class>` with preserve_access_index; libbpf relocates
// those field accesses against whatever BTF it is given as the kernel's, matching by name.
// The format files give every field's name, offset and size on the running kernel, so a BTF
// with one such struct per event is all the relocations of a tracepoint-only object need.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace bpfd {

struct TracepointStruct {
  std::string struct_name;  // e.g. "trace_event_raw_block_rq"
  std::string category;     // "block"
  std::string event;        // "block_rq_issue"
};

// Raw BTF with, for each entry, a struct of that name laid out as <tracefs>/events/<category>/
// <event>/format says: "ent" (struct trace_entry, the common_* fields), then each field as an
// int of its size (arrays of them: "char rwbs[10]"), "__data_loc_<name>" as a u32. 0, or
// -errno (-ENOENT: no such event; -EINVAL: a format that cannot be read).
int TracepointBtf(const std::string& tracefs, const std::vector<TracepointStruct>& structs,
                  std::vector<uint8_t>* raw);

}  // namespace bpfd
