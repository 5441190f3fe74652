package herd.course.tool;

import java.io.IOException;

/** The terminal's line discipline: keys one by one for {@code watch}, restored on exit. */
final class Terminal {
    private Terminal() {
    }

    /** Where there is a terminal and {@code stty}, turns off line buffering and echo until the JVM exits. */
    static void keysOneByOne() {
        if (System.console() == null || !stty("-icanon", "-echo", "min", "1")) {
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stty("icanon", "echo")));
    }

    private static boolean stty(String... settings) {
        String command = "stty " + String.join(" ", settings) + " < /dev/tty";
        try {
            return new ProcessBuilder("sh", "-c", command).inheritIO().start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
