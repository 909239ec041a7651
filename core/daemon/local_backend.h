// LocalBackend: a Backend that runs protocol lines on an in-process Session (the local
// kernel), for modes run without --remote.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/client/backend.h"
#include "core/daemon/session.h"
#include "core/wire/reply.h"

namespace bpfd {

// Runs commands on an in-process Session (the local kernel).
class LocalBackend final : public Backend {
 public:
  LocalBackend() = default;
  int Call(std::string_view line, std::vector<std::string>* lines) override;
  Session& session() { return session_; }

 private:
  Session session_;
  Reply reply_;
};

}  // namespace bpfd
