import { describe, expect, it } from 'vitest';
import { containerIdOf } from '../../src/agent/container-id.js';

const ID = '3f4e9c1d2b7a8e6f5c4d3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a291807f6e';
const OTHER = 'a'.repeat(64);

describe('containerIdOf /proc/PID/cgroup', () => {
  it.each([
    ['docker, systemd driver, cgroup v2', `0::/system.slice/docker-${ID}.scope\n`],
    ['docker, cgroupfs driver, cgroup v1', `12:pids:/docker/${ID}\n11:memory:/docker/${ID}\n0::/\n`],
    ['docker, a nested cgroup under the container', `0::/system.slice/docker-${ID}.scope/init.scope\n`],
    [
      'containerd through CRI (Kubernetes, systemd driver)',
      `0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1f2e3d4c_5b6a_7980_1a2b_3c4d5e6f7a8b.slice/cri-containerd-${ID}.scope\n`,
    ],
    ['CRI-O', `0::/kubepods.slice/kubepods-burstable.slice/crio-${ID}.scope\n`],
    ['containerd through CRI (Kubernetes, cgroupfs driver)', `0::/kubepods/besteffort/pod1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b/${ID}\n`],
    ['Kubernetes, cgroupfs driver, a guaranteed pod, cgroup v1', `4:memory:/kubepods/pod1f2e3d4c-5b6a-7980-1a2b-3c4d5e6f7a8b/${ID}\n`],
    ['podman', `0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope/container\n`],
    ['podman, rootful', `0::/machine.slice/libpod-${ID}.scope\n`],
    ['docker in docker: the innermost', `0::/docker/${OTHER}/docker/${ID}\n`],
  ])('%s', (_name, text) => {
    expect(containerIdOf(text)).toBe(ID);
  });

  it.each([
    ['the host (cgroup v2)', '0::/init.scope\n'],
    ['a systemd service', '0::/system.slice/ssh.service\n'],
    ['a user session, cgroup v1', '12:pids:/user.slice/user-1000.slice/session-2.scope\n1:name=systemd:/user.slice\n'],
    ["podman's conmon, outside the container", `0::/machine.slice/libpod-conmon-${ID}.scope\n`],
    ['an id of the wrong length', `0::/system.slice/docker-${ID.slice(1)}.scope\n`],
    ['an id in capitals', `0::/system.slice/docker-${ID.toUpperCase()}.scope\n`],
    ['a name that merely contains docker', `0::/system.slice/mydocker-${ID}.scope\n`],
    ['nothing', ''],
  ])('%s: none', (_name, text) => {
    expect(containerIdOf(text)).toBeNull();
  });
});
