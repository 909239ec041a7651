// Kernel headers of a remote target for BCC (`bpfd remote --kheaders`): the target's
// /sys/kernel/kheaders.tar.xz (CONFIG_IKHEADERS), fetched once into a host cache and extracted
// there, for BCC_KERNEL_SOURCE.
#pragma once
#include <string>

#include "core/client/protocol_client.h"
#include "core/client/tool_launcher.h"

namespace bpfd {

// bpfd's host cache, as tools/setup picks it: $BPFD_CACHE, else $XDG_CACHE_HOME/bpfd, else
// $HOME/.cache/bpfd; "" when none of them is set.
std::string HostCacheDir();

// Where a target's headers are cached: <cache>/kheaders/<release>-<machine> ('/' in the
// names becomes '_').
std::string KheadersDir(const std::string& cache, const TargetUname& u);

// Makes `dir` hold the target's kheaders extracted (FILE_READ, then `tar xJf` here), unless a
// previous run did. Safe against concurrent runs (extracts beside it, then renames). 0;
// -ENOENT when the target has no kheaders; other -errno. *error says what to do.
int FetchKheaders(ProtocolClient& c, const std::string& dir, std::string* error);

}  // namespace bpfd
