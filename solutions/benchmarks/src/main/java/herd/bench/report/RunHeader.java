package herd.bench.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The header of a run's results: the machine, the JDK, when it ran, how long it took and
 * how loaded the machine was, kept in {@code run.txt} beside the results so that the
 * report, written again later, still names the run's machine and not its own.
 */
public final class RunHeader {
    private static final String FILE = "run.txt";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private RunHeader() {
    }

    /** The 1-minute load average now, as {@code uptime} prints it; negative where the system has none. */
    public static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /**
     * Writes the header of a run into {@code dir}: started at {@code start} with
     * {@code loadAtStart}, ended now.
     */
    public static void write(Path dir, Instant start, double loadAtStart) throws IOException {
        Duration took = Duration.between(start, Instant.now());
        Files.writeString(dir.resolve(FILE), String.format(Locale.ROOT,
                "%s; run %s, %d min %d s; load average %.1f at the start, %.1f at the end.", Machine.describe(),
                TIME.format(start), took.toMinutes(), took.toSecondsPart(), loadAtStart, load()));
    }

    /** The header of the run in {@code dir}; for a directory without one, the machine of this report, now. */
    static String read(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        return Machine.describe() + "; reported " + TIME.format(Instant.now()) + " (no record of the run).";
    }
}
