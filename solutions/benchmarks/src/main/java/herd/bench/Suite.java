package herd.bench;

import herd.bench.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmarks and writes the report: {@code full} with the benchmarks' own
 * settings (every strategy, 1 to 64 workers; about 35 minutes on 2 cores), or
 * {@code smoke} (every benchmark once, 2 workers, short iterations: about a minute, to
 * show that nothing is broken; its numbers mean nothing). Writes {@code jmh.json},
 * {@code results.md} and the charts into the directory given, and, if a README is given,
 * the block of results in it. {@code report} runs nothing: it writes the report again
 * from the directory's {@code jmh.json}.
 * <pre>java -cp solutions/benchmarks/target/benchmarks.jar herd.bench.Suite full|smoke|report DIR [README]</pre>
 */
public final class Suite {
    private Suite() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3 || !List.of("full", "smoke", "report").contains(args[0])) {
            System.err.println("usage: java -cp benchmarks.jar herd.bench.Suite full|smoke|report DIR [README]");
            System.exit(2);
        }
        boolean smoke = args[0].equals("smoke");
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        Path json = dir.resolve("jmh.json");
        if (!args[0].equals("report")) {
            run(smoke, json);
        }
        Report.write(json, dir, smoke, args.length == 3 ? Path.of(args[2]) : null);
    }

    private static void run(boolean smoke, Path json) throws RunnerException {
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(StrategyBench.class.getSimpleName())
                .include(WakeBench.class.getSimpleName())
                .include(WakeUpCommonBench.class.getSimpleName())
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        if (smoke) {
            System.out.println("The benchmarks' smoke run: every benchmark once, briefly (about 30 s)...");
            options.verbosity(VerboseMode.SILENT)
                    .param("workers", "2")
                    .param("entries", "1", "64")
                    .warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200))
                    .forks(1);
        }
        new Runner(options.build()).run();
    }
}
