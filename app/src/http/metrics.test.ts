import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { defaultMetrics, droppedDefaultMetrics } from "./metrics.ts";

describe("defaultMetrics", () => {
  it("registers the runtime metrics but not the gauges misnamed *_total, whose by-type twins stay", async () => {
    const registry = new Registry();
    defaultMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "process_cpu_seconds_total",
        "process_resident_memory_bytes",
        "nodejs_active_handles",
        "nodejs_active_requests",
        "nodejs_active_resources",
        "nodejs_gc_duration_seconds",
      ]),
    );
    for (const dropped of droppedDefaultMetrics) expect(names).not.toContain(dropped);
    const gauges = (await registry.getMetricsAsJSON()).filter((m) => String(m.type) === "gauge");
    expect(gauges.map((m) => m.name).filter((n) => n.endsWith("_total"))).toEqual([]);
  });
});
