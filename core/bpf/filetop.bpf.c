/* filetop: reads and writes per thread and file, totalled between the host's reads of
 * `counts` (it prints and clears them every interval), in BCC's filetop columns. BCC probes
 * vfs_read/vfs_write with kprobes, which many kernels lack (bpfd's CI kernel among them);
 * this uses the syscall tracepoints of read, write, pread64, pwrite64, readv and writev, so
 * in-kernel reads (sendfile, splice, exec) are not counted. As BCC's default, only regular
 * files are counted. The file behind the fd is found in the task's fd table through CO-RE:
 * it needs the kernel's BTF (or --btf). */
#include "core/bpf/bpfd_bpf.h"

#include <bpf/bpf_core_read.h>

/* syscalls/sys_enter_* and sys_exit_*: one 8-byte slot per argument on 64-bit kernels. */
struct sys_enter {
  struct trace_entry ent;
  int nr;
  __u64 args[6];
};
struct sys_exit {
  struct trace_entry ent;
  int nr;
  long ret;
};

struct qstr {
  const unsigned char *name;
} __attribute__((preserve_access_index));
struct dentry {
  struct qstr d_name;
} __attribute__((preserve_access_index));
struct inode {
  unsigned short i_mode;
} __attribute__((preserve_access_index));
struct path {
  struct dentry *dentry;
} __attribute__((preserve_access_index));
struct file {
  struct path f_path;
  struct inode *f_inode;
} __attribute__((preserve_access_index));
struct fdtable {
  unsigned int max_fds;
  struct file **fd;
} __attribute__((preserve_access_index));
struct files_struct {
  struct fdtable *fdt;
} __attribute__((preserve_access_index));
struct task_struct {
  struct files_struct *files;
} __attribute__((preserve_access_index));

#define S_IFMT 0170000
#define S_IFREG 0100000

struct pending {
  __u32 fd;
  __u32 write;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, __u32); /* thread id */
  __type(value, struct pending);
} pendings SEC(".maps");

struct info {
  __u32 tid;
  char type[4]; /* "R": a regular file (4: no padding in the key) */
  char comm[16];
  char name[32];
};

struct stats {
  __u64 reads;
  __u64 writes;
  __u64 rbytes;
  __u64 wbytes;
};

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 10240);
  __type(key, struct info);
  __type(value, struct stats);
} counts SEC(".maps");

static __always_inline int Enter(struct sys_enter *ctx, __u32 write) {
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct pending p = {.fd = (__u32)ctx->args[0], .write = write};
  bpf_map_update_elem(&pendings, &tid, &p, BPF_ANY);
  return 0;
}

static __always_inline int Exit(struct sys_exit *ctx) {
  __u32 tid = (__u32)bpf_get_current_pid_tgid();
  struct pending *pp = bpf_map_lookup_elem(&pendings, &tid);
  if (!pp) return 0;
  struct pending p = *pp;
  bpf_map_delete_elem(&pendings, &tid);
  long bytes = ctx->ret;
  if (bytes <= 0) return 0;
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
  if (!fdt || p.fd >= BPF_CORE_READ(fdt, max_fds)) return 0;
  struct file **fds = BPF_CORE_READ(fdt, fd);
  struct file *f = 0;
  bpf_probe_read_kernel(&f, sizeof(f), &fds[p.fd]);
  if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFREG) return 0;
  struct info k;
  __builtin_memset(&k, 0, sizeof(k));
  k.tid = tid;
  k.type[0] = 'R';
  bpf_get_current_comm(k.comm, sizeof(k.comm));
  bpf_probe_read_kernel_str(k.name, sizeof(k.name), BPF_CORE_READ(f, f_path.dentry, d_name.name));
  struct stats zero = {};
  struct stats *v = BpfdLookupOrInit(&counts, &k, &zero);
  if (!v) return 0;
  if (p.write) {
    __sync_fetch_and_add(&v->writes, 1);
    __sync_fetch_and_add(&v->wbytes, bytes);
  } else {
    __sync_fetch_and_add(&v->reads, 1);
    __sync_fetch_and_add(&v->rbytes, bytes);
  }
  return 0;
}

#define SYSCALL(name, write)                                                         \
  SEC("tracepoint/syscalls/sys_enter_" #name)                                        \
  int enter_##name(struct sys_enter *ctx) { return Enter(ctx, write); }              \
  SEC("tracepoint/syscalls/sys_exit_" #name)                                         \
  int exit_##name(struct sys_exit *ctx) { return Exit(ctx); }

SYSCALL(read, 0)
SYSCALL(pread64, 0)
SYSCALL(readv, 0)
SYSCALL(write, 1)
SYSCALL(pwrite64, 1)
SYSCALL(writev, 1)

char LICENSE[] SEC("license") = "GPL";
