import { readFileSync } from 'node:fs';

/**
 * The container a process runs in, from the text of its /proc/PID/cgroup, or null when no line names one.
 * The cgroup paths the runtimes make (cgroup v1 `N:controllers:/path` lines or the v2 `0::/path` line):
 *
 * - docker: `/system.slice/docker-<id>.scope` (systemd driver) or `/docker/<id>` (cgroupfs driver);
 * - containerd through CRI (Kubernetes): `.../cri-containerd-<id>.scope`; CRI-O: `.../crio-<id>.scope`;
 * - Kubernetes with the cgroupfs driver (kubeadm before 1.22, k3s): `/kubepods/[QOS/]pod<uid>/[crio-]<id>`;
 * - podman: `.../libpod-<id>.scope` (not `libpod-conmon-<id>.scope`, the monitor outside the container);
 *
 * each `<id>` 64 lowercase hex digits. A path naming several (a container in a container) gives the
 * innermost, the last; the first line that names one is used.
 */
export function containerIdOf(cgroupText: string): string | null {
  for (const line of cgroupText.split('\n')) {
    // `hierarchy-ID:controllers:path`; the path may itself contain colons.
    const path = line.split(':').slice(2).join(':');
    let id: string | null = null;
    for (const match of path.matchAll(CONTAINER_IN_PATH)) id = match[1] ?? match[2] ?? match[3] ?? null;
    if (id !== null) return id;
  }
  return null;
}

const CONTAINER_IN_PATH =
  /\/(?:docker|cri-containerd|crio|libpod)-([0-9a-f]{64})\.scope(?=\/|$)|\/docker\/([0-9a-f]{64})(?=\/|$)|\/kubepods\/(?:[a-z]+\/)?pod[0-9a-f_-]+\/(?:crio-)?([0-9a-f]{64})(?=\/|$)/g;

/** {@link containerIdOf} of a process, or null when its cgroup file cannot be read (gone, or not Linux). */
export function containerIdOfProcess(procRoot: string, pid: number): string | null {
  try {
    return containerIdOf(readFileSync(`${procRoot}/${pid}/cgroup`, 'utf8'));
  } catch {
    return null;
  }
}
