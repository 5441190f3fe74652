package herd.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine and JDK a run was made on, in one line. */
final class Machine {
    private Machine() {
    }

    static String describe() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + ", "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version");
    }

    /** The CPU's model name from /proc/cpuinfo, or the architecture where there is none. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | SecurityException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
