// Backend: where a mode's protocol commands run. Modes (bpf-probes, bpf-mapdump, ...) are
// clients of the protocol: daemon/local_backend.h runs lines in-process on a Session; a remote
// daemon (client/transport.h) is another, so every mode's output is the same either way.
#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

class Backend {
 public:
  virtual ~Backend() = default;
  // Runs one protocol line; on success fills *lines with the reply lines (unframed) and
  // returns 0. Returns -errno only for transport failures (a command's own failure is in its
  // reply, e.g. "fn: ret=-1"). "Command not recognized" gives -EBADMSG.
  virtual int Call(std::string_view line, std::vector<std::string>* lines) = 0;
};

}  // namespace bpfd
