package herd.course.tool.maintainer;

import herd.course.Catalogue;
import herd.course.ExerciseId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The "Commands" table of each lesson README, written from the catalogue by
 * {@code generate} between two marker comments, so that every lesson gives the same
 * commands with its own ids, and the end-to-end check of the edition runs each of them.
 */
final class ReadmeCommands {
    static final String BEGIN = "<!-- commands:begin (written by java .course/Course.java generate) -->";
    static final String END = "<!-- commands:end -->";
    private static final Pattern BLOCK = Pattern.compile("(?s)" + Pattern.quote(BEGIN) + ".*?" + Pattern.quote(END));

    private ReadmeCommands() {
    }

    /** {@code readme} with its commands block written anew; fails if the README has no block. */
    static String update(String readme, Catalogue.Lesson lesson) {
        Matcher m = BLOCK.matcher(readme);
        if (!m.find()) {
            throw new IllegalStateException(lesson.module() + "/README.md has no commands block (" + BEGIN + ")");
        }
        return readme.substring(0, m.start()) + block(lesson) + readme.substring(m.end());
    }

    static String block(Catalogue.Lesson lesson) {
        ExerciseId first = lesson.exercises().get(0).id();
        ExerciseId example = lesson.exercises().get(Math.min(1, lesson.exercises().size() - 1)).id();
        String tag = lesson.id().tag();
        int n = lesson.id().number();
        String tool = "`java .course/Course.java ";
        StringBuilder out = new StringBuilder(BEGIN).append("\n| what | command |\n|---|---|\n");
        out.append("| work through the exercises: the tests re-run each time you save, and move on when one passes | ")
                .append(tool).append("watch ").append(first).append("` |\n");
        out.append("| one exercise's tests, once | ").append(tool).append("test ").append(example).append("` |\n");
        out.append("| this lesson's tests | ").append(tool).append("test ").append(tag).append("` |\n");
        out.append("| one test again, or a failing seed with its trace | the command a failure prints "
                + "(`--test 'Class#method'`, `-Dcourse.seed=N`) |\n");
        out.append("| the demo, on your code | ").append(tool).append("demo ").append(tag).append("` |\n");
        out.append("| the demo, on the reference (an edition that has it) | ").append(tool).append("demo ").append(tag)
                .append(" --reference` |\n");
        if (n > 1) {
            out.append("| start here with lesson").append(n == 2 ? " 1" : "s 1 to " + (n - 1))
                    .append(" solved by the reference | ").append(tool).append("catch-up ").append(n).append("` |\n");
        }
        out.append("| where you stand, what is next | ").append(tool).append("progress` |\n");
        out.append("| the next hint for an exercise | ").append(tool).append("hint ").append(example).append("` |\n");
        out.append("| the same tests through Maven, as CI and the grader run them | `mvn -pl ").append(lesson.module())
                .append(" -am test -Dgroups=").append(example).append("` |\n");
        return out.append(END).toString();
    }
}
