package herd.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Where the demos write their timelines, and how: an SVG image and a Trace Event Format file per run. */
public final class TimelineFiles {
    private TimelineFiles() {
    }

    /**
     * The folder for a lesson's timelines: {@code MODULE/timelines} when the demo runs in the
     * course's folder (which has the module), else {@code target/timelines}.
     */
    public static Path dir(String module) {
        Path lesson = Path.of(module);
        return Files.isDirectory(lesson) ? lesson.resolve("timelines") : Path.of("target", "timelines");
    }

    /** Writes {@code NAME.svg} ({@link TimelineSvg}) and {@code NAME.json} ({@link TraceEventJson}) into {@code dir}. */
    public static List<Path> write(Path dir, String name, Timeline timeline) {
        try {
            Files.createDirectories(dir);
            Path svg = dir.resolve(name + ".svg");
            Path json = dir.resolve(name + ".json");
            Files.writeString(svg, TimelineSvg.render(timeline));
            Files.writeString(json, TraceEventJson.render(timeline));
            return List.of(svg, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a demo prints after writing {@code files}: where they are and what opens them. */
    public static String describe(List<Path> files) {
        return "The timeline of this run: " + files.get(0) + " (open it in a browser); the same for Perfetto "
                + "(https://ui.perfetto.dev) or chrome://tracing: " + files.get(1);
    }
}
