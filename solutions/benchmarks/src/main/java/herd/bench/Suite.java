package herd.bench;

import herd.bench.report.Report;
import herd.bench.report.RunHeader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmarks and writes the report:
 * <ul>
 * <li>{@code full}: the benchmarks' own settings, every strategy with 1 to 64 workers, and
 *     the primitives;
 * <li>{@code growth}: the herd and {@code EPOLLEXCLUSIVE} with 1 to 256 workers, throughput
 *     only: the headline ratio at 64 workers and the slope of the cost per connection;
 * <li>{@code smoke}: every benchmark once, 2 workers, short iterations, in this JVM (about 15 s),
 *     to show that nothing is broken; its numbers mean nothing;
 * <li>{@code report}: runs nothing, writes the report again from the directory's
 *     {@code jmh.json}.
 * </ul>
 * Writes {@code jmh.json}, {@code run.txt} (the machine, the time, the load),
 * {@code results.md} and the charts into the directory given, and, if a README is given,
 * the block of results in it named after the directory. JMH's own options may follow,
 * for what the mode does not set (for example {@code -f 2 -i 5}: a shorter run).
 * <pre>java -cp solutions/benchmarks/target/benchmarks.jar herd.bench.Suite full|growth|smoke|report DIR [README] [JMH options]</pre>
 */
public final class Suite {
    /** The worker counts of the growth run. */
    static final String[] GROWTH_WORKERS = {"1", "2", "4", "8", "16", "32", "64", "128", "256"};

    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !List.of("full", "growth", "smoke", "report").contains(args[0])) {
            System.err.println("usage: java -cp benchmarks.jar herd.bench.Suite full|growth|smoke|report DIR [README] "
                    + "[JMH options]");
            System.exit(2);
        }
        boolean smoke = args[0].equals("smoke");
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        Path json = dir.resolve("jmh.json");
        int jmhFrom = args.length > 2 && !args[2].startsWith("-") ? 3 : 2;
        if (!args[0].equals("report")) {
            Instant start = Instant.now();
            double load = RunHeader.load();
            run(options(args[0], new CommandLineOptions(Arrays.copyOfRange(args, jmhFrom, args.length))), json);
            RunHeader.write(dir, start, load);
        }
        Report.write(json, dir, smoke, jmhFrom == 3 ? Path.of(args[2]) : null);
    }

    private static ChainedOptionsBuilder options(String mode, Options given) {
        ChainedOptionsBuilder options = new OptionsBuilder().parent(given).include(StrategyBench.class.getSimpleName());
        switch (mode) {
            case "growth" -> options.param("strategy", "herd", "EPOLLEXCLUSIVE").param("workers", GROWTH_WORKERS)
                    .mode(Mode.Throughput);
            case "smoke" -> {
                System.out.println("The benchmarks' smoke run: every benchmark once, briefly (about 15 s)...");
                options.include(WakeBench.class.getSimpleName()).include(WakeUpCommonBench.class.getSimpleName())
                        .verbosity(VerboseMode.SILENT)
                        .param("workers", "2")
                        .param("entries", "1", "64")
                        .warmupIterations(1).warmupTime(TimeValue.milliseconds(50))
                        .measurementIterations(1).measurementTime(TimeValue.milliseconds(100))
                        // Every benchmark in this JVM: a fork's start-up was most of a smoke run's
                        // time, and its numbers mean nothing anyway.
                        .forks(0);
            }
            default -> options.include(WakeBench.class.getSimpleName()).include(WakeUpCommonBench.class.getSimpleName());
        }
        return options;
    }

    private static void run(ChainedOptionsBuilder options, Path json) throws RunnerException {
        new Runner(options.shouldFailOnError(true).resultFormat(ResultFormatType.JSON).result(json.toString()).build())
                .run();
    }
}
