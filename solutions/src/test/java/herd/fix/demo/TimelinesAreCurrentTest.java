package herd.fix.demo;

import static org.assertj.core.api.Assertions.assertThat;

import herd.course.kit.DemoOutput;
import herd.demo.Demo;
import herd.nginx.demo.HerdDemo;
import herd.trace.TimelineFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The timelines the lessons show are the ones their demos write: lesson 1's demo, lesson
 * 4's (seed 0 and seed 12) and lesson 5's comparison ({@link OneConnection}) make, byte for
 * byte, the SVG and Trace Event Format files committed beside the lessons.
 */
@Isolated("it runs demos, which print to System.out and write the timelines")
class TimelinesAreCurrentTest {
    private static final Path ROOT = Path.of(System.getProperty("course.root", ".."));

    @Test
    void lesson1sDemoWritesItsCommittedTimeline() throws IOException {
        DemoOutput.of(Demo::main);
        assertSame("lesson01-waitqueue", TimelineFiles.dir("lesson01-waitqueue"), List.of("wake-up-seed-1"));
    }

    @Test
    void lesson4sDemoWritesItsCommittedTimelinesOfSeed0AndSeed12() throws IOException {
        String output = DemoOutput.of(HerdDemo::main);
        assertThat(output).as("the two runs the README shows side by side").contains("timelines/herd-seed-0.svg", "timelines/herd-seed-12.svg");
        assertSame("lesson04-herd", TimelineFiles.dir("lesson04-herd"), List.of("herd-seed-0", "herd-seed-12"));
    }

    @Test
    void lesson5sComparisonWritesItsCommittedTimelines(@TempDir Path tmp) throws IOException {
        OneConnection.write(tmp);
        assertSame("lesson05-exclusive", tmp, List.of("herd-4-workers", "exclusive-4-workers"));
    }

    private static void assertSame(String module, Path written, List<String> names) throws IOException {
        for (String name : names) {
            for (String ext : List.of(".svg", ".json")) {
                Path committed = ROOT.resolve(module).resolve("timelines").resolve(name + ext);
                assertThat(Files.readString(written.resolve(name + ext))).as("%s, as the demo writes it now", committed)
                        .isEqualTo(Files.readString(committed));
            }
        }
    }
}
