/** `worker --worker-info`: what this node offers, placeholder until cgroup limits are read. */
export async function workerInfoYaml(): Promise<string> {
  return await Promise.resolve("{}");
}
