// One protocol call as every host-side caller makes it: run the line, check the transport and
// "Command not recognized", parse the first line's "ret=", keep the data lines after it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/client/backend.h"

namespace bpfd {

// Runs `line` and checks its first reply line for "ret=<n>": returns n (>= 0) with the data
// lines after it in *data, or a negative errno (the command's or the transport's).
long long CallData(Backend& b, std::string_view line, std::vector<std::string>* data);

}  // namespace bpfd
