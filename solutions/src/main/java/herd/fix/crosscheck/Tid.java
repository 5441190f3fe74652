package herd.fix.crosscheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kernel thread id and what {@code /proc/self/task/<tid>} says of it. */
record Tid(int tid) {
    /** The calling thread's id, from the {@code /proc/thread-self} link ({@code <pid>/task/<tid>}). */
    static Tid current() {
        try {
            return new Tid(Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code voluntary_ctxt_switches}: how often the thread gave up the CPU to sleep. */
    long voluntarySwitches() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task", Integer.toString(tid), "status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            throw new IllegalStateException("no voluntary_ctxt_switches for thread " + tid);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True while the thread sleeps (state {@code S} in {@code stat}). */
    boolean sleeping() {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", Integer.toString(tid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) == 'S';
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
