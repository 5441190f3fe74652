package herd.bench;

import herd.sched.Task;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The operating system's count of voluntary context switches of some of the JVM's
 * threads, from {@code /proc/self/task/<tid>/status}: each task of the model runs on a
 * thread named after it, and Linux keeps the first 15 characters of that name in
 * {@code comm}. Elsewhere than Linux the count is not available.
 */
final class ThreadSwitches {
    private static final Path TASKS = Path.of("/proc/self/task");
    private static final int COMM_LENGTH = 15;

    private ThreadSwitches() {
    }

    /** True where {@code /proc/self/task} can be read. */
    static boolean available() {
        return Files.isDirectory(TASKS);
    }

    /** The sum of {@code voluntary_ctxt_switches} over the live threads of {@code tasks}; -1 if not available. */
    static long voluntary(List<Task> tasks) {
        if (!available()) {
            return -1;
        }
        Set<String> names = new HashSet<>();
        for (Task t : tasks) {
            if (t != null) {
                String name = t.toString(); // the name of its thread
                names.add(name.length() > COMM_LENGTH ? name.substring(0, COMM_LENGTH) : name);
            }
        }
        long sum = 0;
        try (Stream<Path> threads = Files.list(TASKS)) {
            for (Path thread : threads.toList()) {
                sum += switchesIf(thread, names);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sum;
    }

    /** The thread's voluntary switches if its name is in {@code names}, else 0; 0 for a thread that has just ended. */
    private static long switchesIf(Path thread, Set<String> names) {
        try {
            if (!names.contains(Files.readString(thread.resolve("comm")).trim())) {
                return 0;
            }
            for (String line : Files.readAllLines(thread.resolve("status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
