// A whole file of the target, read through its daemon (FILE_READ: the daemon's file policy
// decides what may be read; docs/security.md).
#pragma once
#include <string>

#include "core/base/result.h"
#include "core/client/backend.h"

namespace bpfd {

// The file's bytes, or a Status (-ENOENT, -EACCES for a path the policy does not allow, ...).
Result<std::string> ReadTargetFile(Backend& b, const std::string& path);

}  // namespace bpfd
