package herd.fix.demo;

import herd.nginx.HerdFigures;

/**
 * One cell of the comparison: a strategy, a workload, a worker count, and what it measured.
 *
 * @param strategy        the strategy's name, as the table prints it
 * @param workload        the workload's name ("trickle", "burst", "busy")
 * @param figures         the per-connection figures of the run
 * @param latencyMedianMs median virtual accept latency, in milliseconds
 * @param latencyP99Ms    99th-percentile virtual accept latency, in milliseconds
 */
public record ComparisonRow(String strategy, String workload, HerdFigures figures, double latencyMedianMs,
                            double latencyP99Ms) {
}
