#include "core/daemon/policy_rules.h"

#include <bpf/btf.h>

#include <memory>

namespace bpfd {
namespace {

struct Helper {
  int id;
  const char* name;
};
constexpr Helper kActingHelpers[] = {
    {BPF_FUNC_probe_write_user, "bpf_probe_write_user"},
    {BPF_FUNC_override_return, "bpf_override_return"},
    {BPF_FUNC_send_signal, "bpf_send_signal"},
    {BPF_FUNC_send_signal_thread, "bpf_send_signal_thread"},
};

// Kfuncs that only read, or work on the program's own objects; "x*" is a prefix.
constexpr std::string_view kAllowedKfuncs[] = {
    "bpf_rcu_read_lock",
    "bpf_rcu_read_unlock",
    "bpf_preempt_disable",
    "bpf_preempt_enable",
    "bpf_local_irq_save",
    "bpf_local_irq_restore",
    "bpf_res_spin_*",
    "bpf_task_acquire",
    "bpf_task_release",
    "bpf_task_from_pid",
    "bpf_task_from_vpid",
    "bpf_task_under_cgroup",
    "bpf_cgroup_acquire",
    "bpf_cgroup_release",
    "bpf_cgroup_ancestor",
    "bpf_cgroup_from_id",
    "bpf_iter_*",
    "bpf_dynptr_*",
    "bpf_obj_new_impl",
    "bpf_obj_drop_impl",
    "bpf_percpu_obj_new_impl",
    "bpf_percpu_obj_drop_impl",
    "bpf_refcount_acquire_impl",
    "bpf_list_*",
    "bpf_rbtree_*",
    "bpf_cpumask_*",
    "bpf_map_sum_elem_count",
    "bpf_path_d_path",
    "bpf_get_task_exe_file",
    "bpf_put_file",
    "bpf_get_file_xattr",
    "bpf_get_fsverity_digest",
    "bpf_copy_from_user_str",
    "bpf_copy_from_user_task_str",
    "bpf_get_kmem_cache",
    "bpf_session_cookie",
    "bpf_session_is_return",
    "bpf_cast_to_kern_ctx",
    "bpf_rdonly_cast",
    "bpf_throw",
    "bpf_wq_*",
    "bpf_arena_alloc_pages",
    "bpf_arena_free_pages",
    "bpf_stream_vprintk",
};

using BtfPtr = std::unique_ptr<struct btf, void (*)(struct btf*)>;

}  // namespace

const char* RefusedProgType(uint32_t prog_type, uint32_t expected_attach_type) {
  switch (prog_type) {
    case BPF_PROG_TYPE_LSM:
      return "an LSM program makes security decisions";
    case BPF_PROG_TYPE_STRUCT_OPS:
      return "a struct_ops program replaces kernel code";
    case BPF_PROG_TYPE_SYSCALL:
      return "a syscall program runs bpf commands the policy cannot see";
    case BPF_PROG_TYPE_TRACING:
      if (expected_attach_type == BPF_MODIFY_RETURN)
        return "an fmod_ret program changes what kernel functions return";
      break;
  }
  return nullptr;
}

std::string ActingHelperCall(std::span<const bpf_insn> insns) {
  for (const bpf_insn& in : insns) {
    if (in.code != (BPF_JMP | BPF_CALL) || in.src_reg != 0) continue;
    for (const Helper& h : kActingHelpers)
      if (in.imm == h.id)
        return std::string("it calls ") + h.name + ", which acts instead of observing";
  }
  return "";
}

std::string RefusedKfunc(std::string_view name) {
  for (std::string_view a : kAllowedKfuncs) {
    if (a.ends_with('*') ? name.starts_with(a.substr(0, a.size() - 1)) : name == a) return "";
  }
  return "it calls kfunc " + std::string(name) + ", which the policy does not know to only observe";
}

std::string RefusedKfuncCall(std::span<const bpf_insn> insns) {
  BtfPtr vmlinux(nullptr, btf__free);
  for (const bpf_insn& in : insns) {
    if (in.code != (BPF_JMP | BPF_CALL) || in.src_reg != BPF_PSEUDO_KFUNC_CALL) continue;
    if (in.off != 0) return "it calls a kernel module's kfunc, which the policy cannot judge";
    if (!vmlinux) vmlinux.reset(btf__load_vmlinux_btf());
    const struct btf_type* t =
        vmlinux ? btf__type_by_id(vmlinux.get(), static_cast<uint32_t>(in.imm)) : nullptr;
    if (!t || !btf_is_func(t))
      return "it calls kfunc #" + std::to_string(in.imm) + ", which the kernel's BTF does not name";
    if (std::string why = RefusedKfunc(btf__name_by_offset(vmlinux.get(), t->name_off));
        !why.empty())
      return why;
  }
  return "";
}

}  // namespace bpfd
