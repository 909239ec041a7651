#include "core/client/call.h"

#include <cerrno>
#include <cstring>

#include "core/wire/framing.h"

namespace bpfd {
namespace {

std::string_view CommandOf(std::string_view line) { return line.substr(0, line.find(' ')); }

// What `lines` took on the wire when they crossed as they are.
size_t LineBytes(const std::vector<std::string>& lines) {
  size_t n = 0;
  for (const std::string& l : lines) n += l.size() + 1;
  return n;
}

// The reply lines (or the transport's error) turned into a CallReply; `bytes`: what crossed.
Result<CallReply> Interpret(int r, std::string_view line, std::vector<std::string> lines,
                            const CallOptions& opts, size_t bytes) {
  auto cmd = [&] { return std::string(CommandOf(line)); };  // for messages only
  if (r == -EBADMSG || (r == 0 && lines.size() == 1 && lines[0] == kNotRecognized))
    return Error(-EBADMSG, "the daemon does not know " + cmd() + ": it predates " +
                               std::string(opts.needs) +
                               "; put this bpfd on the target (e.g. bpfd push adb)");
  if (r < 0) {
    if (r == -ECONNRESET || r == -EPIPE)
      return Error(r, "the daemon went away (connection closed) before answering " + cmd());
    if (r == -ETIMEDOUT) return Error(r, "the daemon did not answer " + cmd() + " in time");
    return Error(r, cmd() + ": " + std::strerror(-r));
  }
  CallReply reply;
  reply.bytes = bytes;
  if (!opts.listing_fn.empty()) {
    int64_t ret = 0;
    if (lines.size() == 1 && lines[0].starts_with(std::string(opts.listing_fn) + ": ret=") &&
        ParseRet(lines[0], &ret) == 0 && ret < 0) {
      reply.ret = ret;
    } else {
      reply.data = std::move(lines);
    }
    return reply;
  }
  if (lines.empty() || ParseRet(lines[0], &reply.ret) < 0)
    return Error(-EPROTO, "malformed " + cmd() + " reply: " +
                              (lines.empty() ? std::string("(empty)") : lines[0].substr(0, 200)));
  reply.data.assign(std::make_move_iterator(lines.begin() + 1),
                    std::make_move_iterator(lines.end()));
  return reply;
}

}  // namespace

Result<CallReply> Call(Backend& b, std::string_view line, const CallOptions& opts) {
  std::vector<std::string> lines;
  int r = b.Call(line, &lines);
  size_t bytes = LineBytes(lines);
  return Interpret(r, line, std::move(lines), opts, bytes);
}

Result<CallReply> Call(ProtocolClient& c, std::string_view line, const CallOptions& opts) {
  std::vector<std::string> lines;
  int r = c.Call(line, &lines, opts.timeout_ms);
  return Interpret(r, line, std::move(lines), opts, c.reply_bytes());
}

Result<CallReply> Answer(ProtocolClient& c, std::string_view line, const CallOptions& opts) {
  std::vector<std::string> lines;
  int r = c.Answer(&lines, opts.timeout_ms);
  return Interpret(r, line, std::move(lines), opts, c.reply_bytes());
}

std::vector<Result<CallReply>> CallBatch(ProtocolClient& c, const std::vector<std::string>& lines,
                                         const CallOptions& opts) {
  // Checked first, so that a refused batch sends nothing.
  size_t total = 0;
  int r = 0;
  for (const std::string& line : lines) {
    total += line.size() + 1;
    if (!ProtocolClient::Answered(line)) r = -EINVAL;
  }
  if (r == 0 && total > ProtocolClient::kMaxAskedBytes) r = -E2BIG;
  for (size_t i = 0; r == 0 && i < lines.size(); ++i) r = c.Ask(lines[i], opts.timeout_ms);
  std::vector<Result<CallReply>> out;
  out.reserve(lines.size());
  for (const std::string& line : lines) {
    out.push_back(r < 0 ? Interpret(r, line, {}, opts, 0) : Answer(c, line, opts));
    if (int e = out.back().err(); e < 0 && e != -EBADMSG && e != -EPROTO) r = e;  // transport
  }
  return out;
}

long long CallData(Backend& b, std::string_view line, std::vector<std::string>* data) {
  Result<CallReply> r = Call(b, line);
  if (!r.ok()) {
    data->clear();
    return r.err();
  }
  *data = std::move(r->data);
  return r->ret;
}

}  // namespace bpfd
