#include "core/daemon/dispatch.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <new>
#include <stdexcept>
#include <vector>

#include "core/daemon/handler.h"
#include "core/wire/tokens.h"

namespace bpfd {
namespace {

// The handler files' groups, in lookup order. Names are unique across groups, so the order
// only decides how Commands() lists them.
using GroupFn = CommandGroup (*)();
constexpr GroupFn kGroups[] = {
    MapCommands,        BtfCommands,         ProgCommands,        AttachCommands,
    PerfCommands,       TracingInfoCommands, SymbolCommands,      FeatureCommands,
    ForwardSysCommands, ForwardFileCommands, ForwardRingCommands, ObjectCommands,
};

}  // namespace

std::span<const Command> Commands() {
  static const std::vector<Command> all = [] {
    std::vector<Command> v;
    for (GroupFn group : kGroups) {
      CommandGroup g = group();
      v.insert(v.end(), g.begin(), g.end());
    }
    return v;
  }();
  return all;
}

static const Command* FindCommand(std::string_view name) {
  for (const Command& c : Commands())
    if (c.name == name) return &c;
  return nullptr;
}

// The reply to a line refused whole (too long, too many tokens): "<ret_name>: ret=-E2BIG" when
// it starts with a known command, else "Command not recognized".
static LineAction RefuseLine(std::string_view head, Reply& reply) {
  reply.Clear();
  const Command* cmd = FindCommand(head.substr(0, head.find(' ')));
  if (cmd) {
    reply.Ret(cmd->ret_name, -E2BIG);
  } else {
    reply.NotRecognized();
  }
  return LineAction::kReply;
}

LineAction HandleOverlongLine(std::string_view head, uint64_t seen, size_t max_line, Reply& reply) {
  std::fprintf(stderr,
               "bpfd: line of %llu+ bytes exceeds --max-line %zu; dropped up to its newline\n",
               static_cast<unsigned long long>(seen), max_line);
  return RefuseLine(head, reply);
}

LineAction HandleLine(Session& session, std::string_view line, Reply& reply) {
  reply.Clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.empty()) return LineAction::kIgnore;
  // Counted before splitting: a line of spaces would otherwise cost 16 bytes per byte.
  if (size_t n = CountTokens(line); n > kMaxTokens) {
    std::fprintf(stderr, "bpfd: line of %zu tokens exceeds the limit of %zu\n", n, kMaxTokens);
    return RefuseLine(line, reply);
  }
  const Command* cmd = nullptr;
  try {
    // Most lines have a few tokens: split them on the stack (one allocation less per command).
    std::array<std::string_view, 16> few;
    std::vector<std::string_view> many;
    const size_t n = SplitTokensInto(line, few);
    if (n == SIZE_MAX) many = SplitTokens(line);
    const std::span<const std::string_view> tokens =
        n == SIZE_MAX ? std::span<const std::string_view>(many) : std::span(few.data(), n);
    if (tokens[0] == "exit") return LineAction::kExit;
    cmd = FindCommand(tokens[0]);
    Args args = Args(tokens).subspan(1);
    if (!cmd || args.size() < cmd->min_args) {
      reply.NotRecognized();
      return LineAction::kReply;
    }
    CommandReply out(reply, cmd->ret_name);
    if (cmd->handler(session, args, out) == Verdict::kBadArgs) reply.NotRecognized();
    if (reply.body().size() > kMaxReplyBody) {
      std::fprintf(stderr, "bpfd: %.*s: reply of %zu bytes exceeds the limit of %zu\n",
                   static_cast<int>(cmd->name.size()), cmd->name.data(), reply.body().size(),
                   kMaxReplyBody);
      reply.Clear();
      reply.Ret(cmd->ret_name, -ENOBUFS);
    }
  } catch (const std::exception& e) {
    // Only allocation failures are expected here (bad_alloc, or length_error for sizes
    // beyond what a container can hold); anything else is reported as -EINVAL.
    bool nomem =
        dynamic_cast<const std::bad_alloc*>(&e) || dynamic_cast<const std::length_error*>(&e);
    reply.Clear();
    if (cmd) {
      reply.Ret(cmd->ret_name, nomem ? -ENOMEM : -EINVAL);
    } else {
      reply.NotRecognized();
    }
  }
  return LineAction::kReply;
}

}  // namespace bpfd
