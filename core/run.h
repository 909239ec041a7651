// Running a helper program (adb, ssh) to completion and capturing its stdout.
#pragma once
#include <string>
#include <vector>

namespace bpfd {

// Runs argv (PATH searched) with stdin from /dev/null; *out gets its stdout (stderr passes
// through). Returns its exit status (0..255, 128+N for signal N) or -errno if it could not run.
int RunCapture(const std::vector<std::string>& argv, std::string* out);

}  // namespace bpfd
