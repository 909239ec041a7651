// The records of OBJ_LOAD's reply (core/daemon/object.cc), one line each, shared by the daemon
// and the client (and the daemon's libbpf wrapper, which fills them):
//   "object <handle> <name> <btf_id>"   (btf_id: the object's BTF in the kernel, 0 if none)
//   "prog <name> <b64 section> <type> <expected_attach_type> <id> <attached: 0 or -errno>"
//   "map <name> <type> <key_size> <value_size> <max_entries> <flags> <id> <fd> <btf_id>
//    <btf_key_type_id> <btf_value_type_id>"   (flags: i internal, p pinned, - neither)
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

struct ObjectProgRecord {
  std::string name;
  std::string section;
  uint32_t type = 0;         // enum bpf_prog_type
  uint32_t attach_type = 0;  // enum bpf_attach_type (expected)
  uint32_t id = 0;           // once loaded
  int attached = 0;          // once loaded: 0, -EOPNOTSUPP (no auto-attach), or -errno
  bool operator==(const ObjectProgRecord&) const = default;
};

struct ObjectMapRecord {
  std::string name;
  uint32_t type = 0;  // enum bpf_map_type
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  uint32_t max_entries = 0;
  bool internal = false;  // .data/.rodata/.bss/.kconfig
  bool pinned = false;    // the object asks for a pin (LIBBPF_PIN_BY_NAME)
  uint32_t id = 0;        // once loaded
  int fd = -1;            // once loaded: the session's fd for RING_MAP/RING_POLL
  uint32_t btf_id = 0, btf_key_type_id = 0, btf_value_type_id = 0;
  bool operator==(const ObjectMapRecord&) const = default;
};

struct ObjectRecord {
  int handle = -1;  // OBJ_CLOSE's argument
  std::string name;
  uint32_t btf_id = 0;  // the object's BTF as loaded (its types: records, map keys and values)
  std::vector<ObjectProgRecord> progs;
  std::vector<ObjectMapRecord> maps;
  bool operator==(const ObjectRecord&) const = default;
};

// The reply's lines (without '\n'), in the order above.
std::vector<std::string> FormatObjectRecord(const ObjectRecord& o);
// Parses those lines: 0, or -EINVAL for a malformed or unknown line.
int ParseObjectRecord(const std::vector<std::string>& lines, ObjectRecord* o);

}  // namespace bpfd
