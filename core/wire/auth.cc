#include "core/wire/auth.h"

#include <cerrno>

#include "core/base/file_io.h"

namespace bpfd {

int ReadTokenFile(const std::string& file, std::string* token) {
  std::string text;
  int r = ReadFile(file, &text);
  if (r < 0) return r;
  *token = text.substr(0, text.find('\n'));
  if (!token->empty() && token->back() == '\r') token->pop_back();
  return token->empty() ? -EINVAL : 0;
}

}  // namespace bpfd
