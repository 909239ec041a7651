// Multicall plumbing: choosing a mode from argv[0]/argv[1], and `--install DIR` symlinks.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace bpfd {

// The basename of a path ("/data/local/tmp/bpf-probes" -> "bpf-probes").
std::string_view Basename(std::string_view path);

// Creates DIR/<name> -> `target` for each name; replaces existing symlinks, refuses to
// replace anything else. Returns 0 or -errno; `error` says which name failed and why.
int InstallSymlinks(const std::string& dir, const std::string& target,
                    const std::vector<std::string>& names, std::string* error);

// The absolute path of the running executable (/proc/self/exe), or "" on failure.
std::string SelfExePath();

}  // namespace bpfd
