package herd.course.kit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/** What a demo prints, for the demo tests. */
public final class DemoOutput {
    private DemoOutput() {
    }

    /** Everything {@code main} prints on {@code System.out} when run with {@code args}. */
    public static String of(Consumer<String[]> main, String... args) {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            main.accept(args);
        } finally {
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    /** The lines {@code main} prints. */
    public static List<String> lines(Consumer<String[]> main, String... args) {
        return of(main, args).lines().toList();
    }
}
