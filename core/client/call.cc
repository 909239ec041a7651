#include "core/client/call.h"

#include <cerrno>
#include <cstdint>

#include "core/client/protocol_client.h"

namespace bpfd {

long long CallData(Backend& b, std::string_view line, std::vector<std::string>* data) {
  data->clear();
  int r = b.Call(line, data);
  if (r < 0) return r;
  int64_t ret = 0;
  if (data->empty() || ParseRet(data->front(), &ret) < 0) return -EPROTO;
  data->erase(data->begin());
  return ret;
}

}  // namespace bpfd
