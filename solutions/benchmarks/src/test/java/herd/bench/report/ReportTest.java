package herd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report's arithmetic on a small JMH result: per-connection figures from the summed
 * raw iteration counts, the fairness as the mean of the iterations, the sample-time
 * percentiles in microseconds, the EPOLLEXCLUSIVE-to-herd ratio and the wake-up cost
 * against its floor.
 */
class ReportTest {
    private static String strategy(String mode, String name, double score, String secondary, String percentiles) {
        return """
                {"benchmark": "herd.bench.StrategyBench.trickle", "mode": "%s",
                 "params": {"strategy": "%s", "workers": "4"},
                 "primaryMetric": {"score": %s, "scoreError": 10.0, "scoreUnit": "ops/s"%s},
                 "secondaryMetrics": {%s}}""".formatted(mode, name, score,
                percentiles.isEmpty() ? "" : ", \"scorePercentiles\": {" + percentiles + "}", secondary);
    }

    private static String counters(long c1, long c2, long w1, long w2, double f1, double f2) {
        return ("\"connections\": {\"rawData\": [[%d, %d]]}, \"wakeups\": {\"rawData\": [[%d, %d]]}, "
                + "\"spurious\": {\"rawData\": [[0, 0]]}, \"hidden\": {\"rawData\": [[3, 1]]}, "
                + "\"contextSwitches\": {\"rawData\": [[-1, -1]]}, \"fairness\": {\"rawData\": [[%s, %s]]}")
                .formatted(c1, c2, w1, w2, f1, f2);
    }

    private static final JsonArray RESULTS = JsonParser.parseString("[" + String.join(",",
            strategy("thrpt", "herd", 1000.0, counters(100, 300, 400, 1200, 0.5, 0.7), ""),
            strategy("sample", "herd", 0.001, counters(1, 1, 1, 1, 1, 1), "\"50.0\": 0.000250, \"99.0\": 0.002"),
            strategy("thrpt", "EPOLLEXCLUSIVE", 2500.0, counters(200, 200, 200, 200, 1.0, 1.0), ""),
            """
            {"benchmark": "herd.bench.WakeBench.unparkFloor", "mode": "avgt",
             "primaryMetric": {"score": 4000.0}, "secondaryMetrics": {}}""",
            """
            {"benchmark": "herd.bench.WakeBench.exclusiveWakeUp", "mode": "avgt",
             "primaryMetric": {"score": 5000.0}, "secondaryMetrics": {}}""") + "]").getAsJsonArray();

    @Test
    void perConnectionFiguresComeFromTheSummedIterations() {
        List<Report.Row> rows = Report.rows(RESULTS);
        assertThat(rows).hasSize(2);
        Report.Row herd = rows.get(0);
        assertThat(herd.strategy()).isEqualTo("herd");
        assertThat(herd.shape()).isEqualTo("trickle");
        assertThat(herd.workers()).isEqualTo(4);
        assertThat(herd.throughput()).isEqualTo(1000.0);
        assertThat(herd.wakeups()).as("(400 + 1200) / (100 + 300)").isEqualTo(4.0);
        assertThat(herd.hidden()).as("(3 + 1) / 400").isEqualTo(0.01);
        assertThat(herd.fairness()).as("the mean of 0.5 and 0.7").isCloseTo(0.6, within(1e-12));
        assertThat(herd.contextSwitches()).as("not available").isNaN();
        assertThat(herd.p50Micros()).isCloseTo(250.0, within(1e-9));
        assertThat(herd.p99Micros()).isCloseTo(2000.0, within(1e-9));
        assertThat(rows.get(1).p50Micros()).as("no sample-time run").isNaN();
    }

    @Test
    void theRatioAndTheFloor() {
        assertThat(Report.ratios(Report.rows(RESULTS))).contains("| trickle | 4 | 1,000 ± 10 | 2,500 ± 10 | 2.50 |");
        assertThat(Report.primitives(RESULTS)).contains("| WakeBench.unparkFloor |  | 4,000.0 |")
                .contains("5000 ns, 1.25 times the floor of a plain unpark (4000 ns)");
    }

    @Test
    void theHistogramsAreDroppedAndThePercentilesKept() {
        JsonArray one = JsonParser.parseString("""
                [{"benchmark": "b", "primaryMetric": {"score": 1.0, "scorePercentiles": {"50.0": 2.0},
                  "rawDataHistogram": [[[[1.0, 3]]]]}}]""").getAsJsonArray();
        String compact = Report.compact(one);
        assertThat(compact).doesNotContain("rawDataHistogram").contains("\"50.0\":2.0");
    }
}
