package herd.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import herd.fix.demo.ComparisonCharts.Point;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The report's arithmetic on a small JMH result: per-connection figures from the summed
 * raw iteration counts, the CPU time per connection and the fairness as means of the
 * iterations, the sample-time percentiles in microseconds, the EPOLLEXCLUSIVE-to-herd
 * ratios with their intervals, the flags on wide intervals, the slope of a cost and the
 * wake-up cost against its floor.
 */
class ReportTest {
    private static String strategy(String mode, String name, int workers, double score, double error, String raw,
                                   String secondary, String percentiles) {
        return """
                {"benchmark": "herd.bench.StrategyBench.trickle", "mode": "%s",
                 "params": {"strategy": "%s", "workers": "%d"},
                 "primaryMetric": {"score": %s, "scoreError": %s, "scoreUnit": "ops/s", "rawData": [%s]%s},
                 "secondaryMetrics": {%s}}""".formatted(mode, name, workers, score, error, raw,
                percentiles.isEmpty() ? "" : ", \"scorePercentiles\": {" + percentiles + "}", secondary);
    }

    /** Three iterations' counters: connections, wake-ups, fairness and CPU time of each. */
    private static String counters(long[] connections, long[] wakeups, double[] fairness, long[] cpu) {
        return ("\"connections\": {\"rawData\": [%s]}, \"wakeups\": {\"rawData\": [%s]}, "
                + "\"spurious\": {\"rawData\": [[0, 0, 0]]}, \"hidden\": {\"rawData\": [[3, 1, 0]]}, "
                + "\"contextSwitches\": {\"rawData\": [[-1, -1, -1]]}, \"fairness\": {\"rawData\": [%s]}, "
                + "\"cpuNanos\": {\"rawData\": [%s]}, \"load\": {\"rawData\": [[1.5, 2.5, 2.0]]}")
                .formatted(Arrays.toString(connections), Arrays.toString(wakeups), Arrays.toString(fairness),
                        Arrays.toString(cpu));
    }

    private static String counters(long connections, long cpu) {
        return counters(new long[] {connections, connections, connections}, new long[] {1, 1, 1},
                new double[] {1, 1, 1}, new long[] {cpu, cpu, cpu});
    }

    private static final JsonArray RESULTS = JsonParser.parseString("[" + String.join(",",
            strategy("thrpt", "herd", 4, 1000.0, 10.0, "[990, 1000, 1010]", counters(new long[] {100, 300, 200},
                    new long[] {400, 1200, 800}, new double[] {0.5, 0.7, 0.6},
                    new long[] {1_000_000, 3_000_000, 2_000_000}), ""),
            strategy("sample", "herd", 4, 0.001, 0.0, "", counters(1, 1), "\"50.0\": 0.000250, \"99.0\": 0.002"),
            strategy("thrpt", "EPOLLEXCLUSIVE", 4, 2500.0, 500.0, "[2000, 2400, 2200], [2800, 2800, 2800]",
                    counters(200, 400_000), ""),
            """
            {"benchmark": "herd.bench.WakeBench.unparkFloor", "mode": "avgt",
             "primaryMetric": {"score": 4000.0, "scoreError": 40.0}, "secondaryMetrics": {}}""",
            """
            {"benchmark": "herd.bench.WakeBench.exclusiveWakeUp", "mode": "avgt",
             "primaryMetric": {"score": 5000.0, "scoreError": 1000.0}, "secondaryMetrics": {}}""") + "]")
            .getAsJsonArray();

    @Test
    void perConnectionFiguresComeFromTheSummedIterations() {
        List<Report.Row> rows = Report.rows(RESULTS);
        assertThat(rows).hasSize(2);
        Report.Row herd = rows.get(0);
        assertThat(herd.strategy()).isEqualTo("herd");
        assertThat(herd.shape()).isEqualTo("trickle");
        assertThat(herd.workers()).isEqualTo(4);
        assertThat(herd.throughput()).isEqualTo(new Estimate(1000.0, 10.0));
        assertThat(herd.wakeups()).as("(400 + 1200 + 800) / (100 + 300 + 200)").isEqualTo(4.0);
        assertThat(herd.hidden()).as("(3 + 1 + 0) / 600").isCloseTo(4.0 / 600, within(1e-12));
        assertThat(herd.fairness()).as("the mean of 0.5, 0.7 and 0.6").isCloseTo(0.6, within(1e-12));
        assertThat(herd.cpuMicros().value()).as("1 ms / 100, 3 ms / 300, 2 ms / 200: 10 µs each")
                .isCloseTo(10.0, within(1e-9));
        assertThat(herd.cpuMicros().error()).as("three equal iterations").isZero();
        assertThat(herd.load()).as("the mean of 1.5, 2.5 and 2.0").isEqualTo(2.0);
        assertThat(herd.contextSwitches()).as("not available").isNaN();
        assertThat(herd.p50Micros()).isCloseTo(250.0, within(1e-9));
        assertThat(herd.p99Micros()).isCloseTo(2000.0, within(1e-9));
        assertThat(rows.get(1).p50Micros()).as("no sample-time run").isNaN();
    }

    @Test
    void aRowWiderThanTenPercentIsFlaggedWithItsIterationsForksAndLoad() {
        List<Report.Row> rows = Report.rows(RESULTS);
        assertThat(Report.flag(rows.get(0))).as("±1 %").isEmpty();
        assertThat(Report.flag(rows.get(1))).isEqualTo(
                "⚠ connections/s ±20.0 %: iterations 2,000–2,800, fork means 2,200 / 2,800; load 2.0");
        assertThat(Report.flag(new Report.Row("burst", "herd", 1, new Estimate(100, 1), new Estimate(5, Double.NaN),
                1, 0, 0, 1, 1, 1, 1, Double.NaN, "iterations 99–101"))).as("too few iterations to tell")
                .isEqualTo("⚠ CPU ±?: iterations 99–101");
        assertThat(Report.strategyTable(rows)).contains("| 1,000 ± 10 | 1.0 % | 10.0 ± 0.0 | 0.0 % |")
                .contains("| 2,500 ± 500 | 20.0 % |");
    }

    @Test
    void theRatiosCarryTheirIntervalsAndTheHeadlineNeeds64Workers() {
        List<Report.Row> rows = Report.rows(RESULTS);
        assertThat(Report.ratios(rows)).as("2500/1000, ±hypot(1 %, 20 %); CPU 10 µs against 2 µs")
                .contains("| trickle | 4 | 1,000 ± 10 | 2,500 ± 500 | 2.50 | 20.0 % ⚠ | 10.0 ± 0.0 | 2.0 ± 0.0 | 5.00 | 0.0 % |");
        assertThat(Report.headline(rows)).isEmpty();
    }

    @Test
    void estimates() {
        Estimate e = Estimate.of(new double[] {9, 10, 11});
        assertThat(e.value()).isEqualTo(10.0);
        assertThat(e.error()).as("t(0.9995, 2) = 31.6 times sd 1 over sqrt 3").isCloseTo(18.2, within(0.1));
        assertThat(e.trusted()).isFalse();
        assertThat(new Estimate(100, 10).trusted()).isTrue();
        assertThat(new Estimate(100, 10).over(new Estimate(50, 0)).value()).isEqualTo(2.0);
        assertThat(new Estimate(100, 10).over(new Estimate(50, 0)).relative()).isCloseTo(0.1, within(1e-12));
        assertThat(new Estimate(100, Double.NaN).percent()).isEqualTo("?");
    }

    @Test
    void theSlopeOfALogLogLine() {
        assertThat(LogLogFit.slope(List.of(new Point(16, 5), new Point(64, 20), new Point(256, 80))))
                .as("in proportion").isCloseTo(1.0, within(1e-12));
        assertThat(LogLogFit.slope(List.of(new Point(16, 7), new Point(64, 7), new Point(256, 7))))
                .as("flat").isCloseTo(0.0, within(1e-12));
        assertThat(LogLogFit.slope(List.of(new Point(16, 7)))).isNaN();
    }

    @Test
    void theGrowthIsFittedFromSixteenWorkersUp() {
        String results = "[" + String.join(",",
                strategy("thrpt", "herd", 1, 100, 1, "[100]", counters(1, 50_000), ""),
                strategy("thrpt", "herd", 16, 100, 1, "[100]", counters(1, 100_000), ""),
                strategy("thrpt", "herd", 32, 100, 1, "[100]", counters(1, 200_000), ""),
                strategy("thrpt", "herd", 64, 100, 1, "[100]", counters(1, 400_000), "")) + "]";
        assertThat(Report.growth(Report.rows(JsonParser.parseString(results).getAsJsonArray())))
                .contains("| trickle | herd | 16–64 | 1.00 |");
    }

    @Test
    void theFloor() {
        assertThat(Report.primitives(RESULTS)).contains("| WakeBench.unparkFloor |  | 4,000.0 ± 40.0 | 1.0 % |")
                .contains("| WakeBench.exclusiveWakeUp |  | 5,000.0 ± 1,000.0 | 20.0 % ⚠ |")
                .contains("5000 ns, 1.25 times the floor of a plain unpark (4000 ns)");
    }

    @Test
    void aReadmeBlockIsNamedAfterItsDirectory() {
        String readme = "a\n" + Report.begin("growth") + "\nold\n" + Report.end("growth") + "\nb\n";
        assertThat(Report.replaceBlock(readme, "growth", "new\n")).isEqualTo(
                "a\n" + Report.begin("growth") + "\nnew\n" + Report.end("growth") + "\nb\n");
        assertThatThrownBy(() -> Report.replaceBlock(readme, "benchmarks", "new\n"))
                .hasMessageContaining(Report.begin("benchmarks"));
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
