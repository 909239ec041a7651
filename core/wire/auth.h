// The tcp transport's shared token, as both the listener and the client read it.
#pragma once
#include <string>

namespace bpfd {

// The shared tcp token: the first line of `file` (without a trailing CR). 0, -errno, or
// -EINVAL when it is empty.
int ReadTokenFile(const std::string& file, std::string* token);

}  // namespace bpfd
